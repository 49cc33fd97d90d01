"""Smart cleaning's exclusions, as the job builds them from what the database gave."""

from __future__ import annotations

import polars as pl

from app.encryption.crypto import PhoneCipher
from app.smart_cleaning.jobs import converted_sets, live_phones

CONVERTED = pl.DataFrame(
    {
        "phone": [
            447400100001,
            447400100002,
            4915123456701,
            447400100003,
            447400100004,
            447400100005,
        ],
        "country_code": ["GB", "DE", "DE", "JE", "DEF", "GB"],
        "ftd": [True, True, True, True, True, False],
        "reg": [False, False, False, False, False, True],
    }
)


def test_an_upload_counts_each_number_in_the_countries_of_its_calling_code() -> None:
    ftd, reg = converted_sets(CONVERTED, None)
    # A GB number's deposit in DE, or in no known country, is no deposit here; Jersey
    # shares 44 with GB.
    assert sorted(ftd.to_list()) == [447400100001, 447400100003, 4915123456701]
    assert reg.to_list() == [447400100005]


def test_a_found_file_takes_what_its_country_query_gave() -> None:
    gb = CONVERTED.filter(pl.col("country_code") == "GB")
    ftd, reg = converted_sets(gb, "GB")
    assert (ftd.to_list(), reg.to_list()) == ([447400100001], [447400100005])


def test_live_values_become_numbers_tokens_decrypted() -> None:
    cipher = PhoneCipher(bytes(range(32)))
    values = pl.Series(
        [
            cipher.encrypt("447400100010"),
            "+44 7400 100011",
            "{{phoneNumber}}",
            PhoneCipher(bytes(32)).encrypt("447400100012"),  # another key's token
        ]
    )
    assert live_phones(values, cipher, "44").to_list() == [447400100010, 447400100011]
    # Without the key a token matches nothing (and nothing fails).
    assert live_phones(values, None, "44").to_list() == [447400100011]
