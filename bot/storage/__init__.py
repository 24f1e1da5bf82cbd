"""The SQL database: sessions and conversations, with schema migrations run by the program."""
