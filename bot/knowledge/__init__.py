"""The knowledge base: loading, chunking, embedding, storing and retrieving passages."""
