from sandbox import ratelimit


def test_bucket_allows_the_limit_then_says_how_long_to_wait():
    key = ("test", "token-a")
    assert all(ratelimit.hit(key, 5, 60) is None for _ in range(5))
    wait = ratelimit.hit(key, 5, 60)
    assert wait is not None and 0 < wait <= 12
    assert ratelimit.retry_after_header(wait) in {str(n) for n in range(1, 13)}


def test_buckets_are_per_key():
    assert all(ratelimit.hit(("test", "a"), 1, 60) is None for _ in range(1))
    assert ratelimit.hit(("test", "a"), 1, 60) is not None
    assert ratelimit.hit(("test", "b"), 1, 60) is None


def test_zero_limit_means_unlimited():
    assert all(ratelimit.hit(("test", "c"), 0, 0) is None for _ in range(100))
