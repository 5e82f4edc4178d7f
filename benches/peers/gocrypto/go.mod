module git.stella-ops.org/stellaops/signer/benches/peers/gocrypto

go 1.25
