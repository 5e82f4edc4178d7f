module example.invalid/stellaops/stellaops-signer/benches/peers/gocrypto

go 1.25
