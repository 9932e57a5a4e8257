"""Encryption at rest and keyed digests for exact lookup."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from linli.core import crypto


def test_encrypted_value_does_not_contain_the_plaintext_and_decrypts_back() -> None:
    token = crypto.encrypt("13812345678")
    assert "13812345678" not in token
    assert crypto.decrypt(token) == "13812345678"


def test_same_plaintext_encrypts_differently_each_time() -> None:
    assert crypto.encrypt("13812345678") != crypto.encrypt("13812345678")


def test_value_encrypted_under_an_unknown_key_is_refused() -> None:
    foreign = Fernet(Fernet.generate_key()).encrypt(b"13812345678").decode()
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(foreign)


def test_blind_index_is_stable_and_separates_purposes() -> None:
    assert crypto.blind_index("phone", "13812345678") == crypto.blind_index("phone", "13812345678")
    assert crypto.blind_index("phone", "13812345678") != crypto.blind_index("id", "13812345678")
    assert "13812345678" not in crypto.blind_index("phone", "13812345678")
