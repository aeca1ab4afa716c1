"""Bank simulator (`hpf bank-sim`): a separate process serving the BDC message contract of docs/bdc-protocol.md
over HTTP on loopback, with its own SQLite books; standard library only, so it needs neither Django nor the
center's database."""
