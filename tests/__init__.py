"""Tests: unit/ (pure domain), integration/ (storage, HTTP, clients), e2e/ (the real bot)."""
