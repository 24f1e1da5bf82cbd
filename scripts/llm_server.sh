#!/usr/bin/env bash
# Serve a small GGUF model from PyPI as an OpenAI-compatible endpoint on 127.0.0.1.
#   scripts/llm_server.sh [smollm2|qwen2.5-coder-1.5b|path/to/model.gguf] [port]
# then: PARLEY_LLM=openai:local PARLEY_LLM_BASE_URL=http://127.0.0.1:8080/v1 make run
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m bot.coaching.llm.local serve "${1:-qwen2.5-coder-1.5b}" --port "${2:-8080}"
