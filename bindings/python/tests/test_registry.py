"""Issue 22: the tenant key registry from Python."""

import pathlib

import pytest

import stellaops_signer as s

OLD_KEY = "a" * 64


def test_registry_resolves_signs_and_revokes(tmp_path: pathlib.Path) -> None:
    key = s.SigningKey.generate("es256")
    key_path = tmp_path / "signer.pem"
    key_path.write_bytes(key.to_pem())
    registry_path = tmp_path / "keys.toml"
    registry_path.write_text(
        f'[[tenant]]\nid = "acme"\n\n[[tenant.key]]\nuri = "{key_path}"\nstatus = "active"\nfamilies = ["vex"]\n\n'
        f'[[tenant.key]]\nuri = "/nonexistent/old.pem"\nkey_id = "{OLD_KEY}"\nstatus = "revoked"\n'
        'revoked_at = "2026-06-01T00:00:00Z"\nreason = "key compromise"\n'
    )
    with s.KeyRegistry(registry_path) as registry:
        entries = registry.entries()
        assert [e["status"] for e in entries] == ["active", "revoked"]
        assert entries[1]["revoked_at"] == "2026-06-01T00:00:00Z"
        assert registry.select("acme", family="vex")["families"] == ["vex"]
        with pytest.raises(s.KeyMaterialError) as e:
            registry.select("acme", family="sbom")
        assert e.value.code_name == "no_active_key"

        tenant_key = registry.signing_key("acme", family="vex")
        assert tenant_key.key_id == key.key_id
        envelope = s.Envelope.sign("text/plain", b"hello", [tenant_key])
        assert envelope.verify([key.public_key()], 1)
        with pytest.raises(s.KeyMaterialError) as e:
            tenant_key.to_pem()
        assert e.value.code_name == "key_not_exportable"

        registry.check_not_revoked(OLD_KEY, "2026-05-31T23:59:59Z")
        with pytest.raises(s.KeyMaterialError) as e:
            registry.check_not_revoked(OLD_KEY, "2026-06-01T00:00:00Z")
        assert e.value.code_name == "key_revoked" and "key compromise" in str(e.value)
        with pytest.raises(s.KeyMaterialError):
            registry.check_not_revoked(OLD_KEY)
        with pytest.raises(s.InvalidInputError):
            registry.check_not_revoked(OLD_KEY, "yesterday")

        registry_path.write_text("not toml [")
        with pytest.raises(s.StellaOpsError):
            registry.reload()
        registry.select("acme", family="vex")  # the old configuration is still in force
        registry_path.write_text(
            f'[[tenant]]\nid = "acme"\n\n[[tenant.key]]\nuri = "{key_path}"\nkey_id = "{key.key_id}"\n'
            'status = "revoked"\nrevoked_at = "2026-06-01T00:00:00Z"\n'
        )
        registry.reload()
        with pytest.raises(s.KeyMaterialError) as e:
            s.Envelope.sign("text/plain", b"hello", [tenant_key])
        assert e.value.code_name == "key_revoked"
