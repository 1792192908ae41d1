"""The buyer <-> seller relay, both directions, and the cleaning of relayed files."""
