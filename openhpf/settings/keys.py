"""Key settings (owned by the security app): SM4 data keys, SM3 blind-index key, SM2 seal key pair."""
