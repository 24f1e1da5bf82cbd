"""Tests of the Discord layer, run against a fake Discord."""
