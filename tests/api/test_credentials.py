"""Credentials: JSON round trip (property-based), expiry, and no token in repr."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from threadsync.api import Credentials, ThreadsInvalidParameter

from .support import TOKEN

UTC = dt.timezone.utc
aware = st.datetimes(
    min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2200, 1, 1), timezones=st.just(UTC)
)
offsets = st.timedeltas(min_value=dt.timedelta(hours=-12), max_value=dt.timedelta(hours=12))
any_aware = st.one_of(
    aware,
    st.builds(
        lambda d, off: d.replace(tzinfo=dt.timezone(off)),
        st.datetimes(min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2200, 1, 1)),
        offsets.map(lambda o: dt.timedelta(minutes=int(o.total_seconds() // 60))),
    ),
)


@given(
    user_id=st.text(),
    scopes=st.lists(st.text()),
    short_lived=st.booleans(),
    access_token=st.text(),
    expiration=st.none() | any_aware,
    issued_at=st.none() | any_aware,
)
def test_json_round_trip(
    user_id: str,
    scopes: list[str],
    short_lived: bool,
    access_token: str,
    expiration: dt.datetime | None,
    issued_at: dt.datetime | None,
) -> None:
    creds = Credentials(user_id, scopes, short_lived, access_token, expiration, issued_at)
    assert Credentials.from_json(creds.to_json()) == creds


def test_pythreads_style_json_is_read() -> None:
    text = json.dumps(
        {
            "user_id": "1",
            "scopes": ["threads_basic"],
            "short_lived": False,
            "access_token": "t",
            "expiration": "2030-01-01T00:00:00+00:00",
        }
    )
    creds = Credentials.from_json(text)
    assert creds.expiration == dt.datetime(2030, 1, 1, tzinfo=UTC)
    assert creds.issued_at is None


@pytest.mark.parametrize("text", ["[]", '{"user_id": "1"}', "not json"])
def test_bad_json_is_an_invalid_parameter(text: str) -> None:
    with pytest.raises(ThreadsInvalidParameter):
        Credentials.from_json(text)


def test_expiry() -> None:
    now = dt.datetime(2025, 1, 1, tzinfo=UTC)
    creds = Credentials("1", [], False, TOKEN, now + dt.timedelta(seconds=90.7))
    assert creds.expires_in(now) == 90
    assert not creds.expired(now)
    later = now + dt.timedelta(minutes=5)
    assert creds.expires_in(later) == 0
    assert creds.expired(later)
    assert creds.age(now) is None
    unknown = Credentials.from_token(TOKEN, "5")
    assert unknown.expires_in() is None and not unknown.expired()
    issued = Credentials.from_token(TOKEN, issued_at=now - dt.timedelta(hours=3))
    assert issued.age(now) == dt.timedelta(hours=3)


def test_token_stays_out_of_repr_and_str() -> None:
    creds = Credentials.from_token(TOKEN, "5")
    assert TOKEN not in repr(creds) and TOKEN not in str(creds)
    assert "user_id='5'" in repr(creds)
