"""The emulator driven by the project's own client, ``threadsync.api``.

The client's sleep and clock are wired to the emulator's clock, so waiting
for processing costs no real time.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests

from threadsync.api import (
    API,
    NO_RETRY,
    Configuration,
    ContainerFailed,
    Credentials,
    InvalidAccessToken,
    Media,
    MediaNotReady,
    MediaType,
    PublishingStatus,
    PublishOutcomeUnknown,
    RateLimited,
    RetryPolicy,
    Threads,
)
from threadsync.emulator import DEFAULT_APP_ID, DEFAULT_APP_SECRET, Emulator


@pytest.fixture
def api(emu: Emulator) -> Iterator[API]:
    creds = Credentials.from_token(emu.token, emu.user_id)

    def sleep(seconds: float) -> None:  # waiting moves the emulator's clock, not real time
        emu.advance(seconds)

    with API(
        creds,
        base_url=emu.url,
        sleep=sleep,
        clock=emu.now,
        retry=RetryPolicy(max_attempts=3, initial_delay=0.01, jitter=0.0),
    ) as client:
        yield client


def test_create_wait_publish_read_back(api: API, emu: Emulator) -> None:
    cid = api.create_container("Hello from the client #Emulated", topic_tag="Testing")
    assert api.wait_until_finished(cid).status is PublishingStatus.FINISHED
    post_id = api.publish_container(cid)
    media = api.get_media(post_id, fields="id,text,media_type,permalink,timestamp,topic_tag,owner")
    assert media.id == post_id
    assert media.text == "Hello from the client #Emulated"
    assert media.media_type == "TEXT_POST"
    assert media.topic_tag == "Testing"
    assert media.timestamp is not None
    assert [m.id for m in api.iter_threads()] == [post_id]
    assert emu.posts()[0]["params"]["topic_tag"] == "Testing"


def test_image_waits_on_the_emulator_clock(api: API, emu: Emulator) -> None:
    emu.set_processing(image="30s")
    cid = api.create_container("a picture", Media(MediaType.IMAGE, "https://example.com/p.jpg"))
    with pytest.raises(MediaNotReady):
        api.publish_container(cid)
    api.wait_until_finished(cid)
    post_id = api.publish_container(cid)
    assert api.get_media(post_id, fields="media_url").media_url == "https://example.com/p.jpg"


def test_failed_processing_is_container_failed(api: API) -> None:
    url = "https://example.com/v.mp4?emulator-error=INVALID_ASPEC_RATIO"
    cid = api.create_container(None, Media(MediaType.VIDEO, url))
    with pytest.raises(ContainerFailed) as info:
        api.wait_until_finished(cid)
    assert info.value.status is not None
    assert info.value.status.error_message == "INVALID_ASPEC_RATIO"


def test_carousel_and_reply(api: API, emu: Emulator) -> None:
    kids = [
        api.create_container(
            None, Media(MediaType.IMAGE, f"https://example.com/{i}.jpg"), is_carousel_item=True
        )
        for i in range(3)
    ]
    statuses = [api.wait_until_finished(k) for k in kids]
    parent = api.create_carousel_container(statuses, text="three")
    api.wait_until_finished(parent)
    album = api.publish_container(parent)
    assert len(api.get_media(album, fields="children").children) == 3
    reply_cid = api.create_container("a reply", reply_to_id=album)
    api.wait_until_finished(reply_cid)
    reply = api.publish_container(reply_cid)
    assert api.get_media(reply, fields="is_reply,replied_to").replied_to is not None
    assert api.get_publishing_limit() is not None


def test_lost_publish_answer_is_publish_outcome_unknown(api: API, emu: Emulator) -> None:
    emu.add_fault(method="POST", path="threads_publish$", action="drop_after")
    cid = api.create_container("did it?")
    with pytest.raises(PublishOutcomeUnknown):
        api.publish_container(cid)
    assert api.container_status(cid).status is PublishingStatus.PUBLISHED
    assert len(emu.posts()) == 1


def test_rate_limit_is_retried_on_gets(api: API, emu: Emulator) -> None:
    emu.add_fault(method="GET", path="/me$", action="graph_error", code=17, nth=1)
    assert api.account()["id"] == emu.user_id
    emu.add_fault(method="GET", path="/me$", action="graph_error", code=613, every=True)
    with pytest.raises(RateLimited):
        api.account()


def test_expired_token_is_invalid_access_token(emu: Emulator) -> None:
    token = emu.mint_token("short", age=3599)["access_token"]
    emu.advance(2)
    with (
        API(Credentials.from_token(token), base_url=emu.url, retry=NO_RETRY) as client,
        pytest.raises(InvalidAccessToken),
    ):
        client.account()


def test_oauth_login_exchange_and_refresh(emu: Emulator) -> None:
    config = Configuration(
        scopes=Threads.EVERY_SCOPE,
        app_id=DEFAULT_APP_ID,
        api_secret=DEFAULT_APP_SECRET,
        redirect_uri="https://app.example/callback",
    )
    url, state = Threads.authorization_url(config)
    # The client's consent URL is Meta's host; the emulator serves the same path.
    emulated = f"{emu.url}/oauth/authorize?{urlsplit(url).query}"
    callback = requests.get(emulated, allow_redirects=False, timeout=5).headers["Location"]
    creds = Threads.complete_authorization(callback, state, config=config, base_url=emu.url)
    assert creds.user_id == emu.user_id
    assert creds.short_lived is False
    with API(creds, base_url=emu.url) as client:
        assert client.account()["id"] == emu.user_id
        info = client.get_token_info(creds.access_token)
        assert info is not None
    emu.advance(86400)
    token, _expiry = Threads.refresh_long_lived_token(creds, base_url=emu.url)
    assert token != creds.access_token
    with API(Credentials.from_token(token), base_url=emu.url) as client:
        assert client.account()["id"] == emu.user_id
