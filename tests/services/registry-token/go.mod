module stellaops.test/registry-token

go 1.24
