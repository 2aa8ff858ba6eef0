"""Made-up but plausible data, drawn from a seeded generator: no network, same seed same data."""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

CHANNELS = ("ads", "web", "event", "referral")
CHANNEL_WEIGHTS = (0.4, 0.3, 0.1, 0.2)
FIRST_NAMES = ("ada", "alan", "grace", "edsger", "barbara", "donald", "frances", "ken")
LAST_NAMES = ("lovelace", "turing", "hopper", "dijkstra", "liskov", "knuth", "allen", "thompson")
MEASUREMENTS = ("sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm")
# Fisher's iris data: the mean and standard deviation of each measurement, per species.
IRIS_STATISTICS = {
    "setosa": ((5.006, 3.428, 1.462, 0.246), (0.352, 0.379, 0.174, 0.105)),
    "versicolor": ((5.936, 2.770, 4.260, 1.326), (0.516, 0.314, 0.470, 0.198)),
    "virginica": ((6.588, 2.974, 5.552, 2.026), (0.636, 0.322, 0.552, 0.275)),
}
TRANSACTION_FEATURES = ("amount_eur", "night", "foreign", "card_present", "merchant_risk")


def generator(seed_text: str) -> np.random.Generator:
    """A random generator seeded from text (a run id): reproducible, different per run."""
    return np.random.default_rng(zlib.crc32(seed_text.encode()))


def leads(rng: np.random.Generator, rows: int) -> pd.DataFrame:
    """Sign-ups from the web site, ads, events and referrals, one row per person."""
    first = rng.choice(FIRST_NAMES, rows)
    last = rng.choice(LAST_NAMES, rows)
    ids = np.arange(1, rows + 1)
    signed_up = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 180 * 24 * 60, rows), unit="min"
    )
    return pd.DataFrame(
        {
            "lead_id": ids,
            "email": [f"{f}.{n}.{i}@example.com" for f, n, i in zip(first, last, ids, strict=True)],
            "full_name": [f"{f.title()} {n.title()}" for f, n in zip(first, last, strict=True)],
            "source": rng.choice(CHANNELS, rows, p=CHANNEL_WEIGHTS),
            "score": np.round(rng.beta(2, 3, rows) * 100, 1),
            "created_at": signed_up,
        }
    )


def iris(rng: np.random.Generator, per_species: int = 50) -> pd.DataFrame:
    """Flowers measured like Fisher's: each species drawn around its published statistics."""
    frames = []
    for species, (means, deviations) in IRIS_STATISTICS.items():
        values = rng.normal(means, deviations, size=(per_species, len(MEASUREMENTS)))
        frame = pd.DataFrame(np.round(np.clip(values, 0.1, None), 1), columns=list(MEASUREMENTS))
        frame["species"] = species
        frames.append(frame)
    return pd.concat(frames, ignore_index=True).sample(frac=1.0, random_state=rng)


def transactions(rng: np.random.Generator, rows: int, fraud_rate: float) -> pd.DataFrame:
    """Card transactions; fraudulent ones are larger, more often at night, abroad and online."""
    fraud = rng.random(rows) < fraud_rate
    amount = np.where(fraud, rng.lognormal(5.0, 0.9, rows), rng.lognormal(3.5, 0.8, rows))
    return pd.DataFrame(
        {
            "amount_eur": np.round(amount, 2),
            "night": (rng.random(rows) < np.where(fraud, 0.55, 0.15)).astype(int),
            "foreign": (rng.random(rows) < np.where(fraud, 0.5, 0.08)).astype(int),
            "card_present": (rng.random(rows) < np.where(fraud, 0.2, 0.7)).astype(int),
            "merchant_risk": np.round(rng.beta(np.where(fraud, 4, 2), 5), 3),
            "is_fraud": fraud.astype(int),
        }
    )
