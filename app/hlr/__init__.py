"""HLR validation of cleaned lists."""
