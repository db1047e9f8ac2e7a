"""Seeded junk at the functions, pixels, descent and neuron endpoints: never a 5xx."""

import json
import random

import pytest

JUNK = ["", "0", "-1", "1e309", "-1e309", "nan", "NaN", "inf", "true", "null", "[]", "{}",
        "0x10", "1_000", " 1", "１", "\x00", "é", "%", "AND", "valleys", "64", "2.0000001",
        "9" * 400, "a" * 5000]
NAMES = ["target", "w1", "w2", "bias", "x1", "x2", "resolution", "curve", "start", "steps",
         "learning_rate", "exercise", "code", "red", "unknown"]
GETS = ["/api/neuron", "/api/descent", "/api/pixels/astronaut"]
POSTS = ["/api/pixels/compose", "/api/functions/check"]


def junk_value(rng: random.Random):
    pick = rng.random()
    if pick < 0.4:
        return rng.choice(JUNK)
    if pick < 0.6:
        return rng.uniform(-1e3, 1e3)
    if pick < 0.8:
        return [[rng.choice([0, 0.5, 1, -1, "x", None, 2]) for _ in range(rng.randint(0, 4))]
                for _ in range(rng.randint(0, 4))]
    return {"nested": rng.choice(JUNK)}



@pytest.mark.parametrize("seed", range(4))
def test_junk_never_gives_a_server_error(lenient_client, seed):
    rng = random.Random(seed)
    for _ in range(60):
        fields = {rng.choice(NAMES): junk_value(rng) for _ in range(rng.randint(0, 4))}
        url = rng.choice(GETS)
        query = {k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()}
        r = lenient_client.get(url, params=query)
        assert r.status_code < 500, (url, query, r.text[:200])
        url = rng.choice(POSTS)
        r = lenient_client.post(url, json=fields)
        assert r.status_code < 500, (url, fields, r.text[:200])
        if r.status_code == 422:
            assert all("param" in d and "message" in d for d in r.json()["detail"])
