"""Helpers shared by the retrieval, answering and generative tests (not tests themselves)."""
