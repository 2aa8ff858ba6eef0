"""Two small classifiers written with numpy, and the scores that judge them.

A trained model is plain data (a dict of names and lists of numbers), so the artifact store
keeps it as any other value and anything can read it back without this module.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

Params = dict[str, Any]


def fit_naive_bayes(features: np.ndarray, labels: np.ndarray) -> Params:
    """Gaussian naive Bayes: per class, the prior and each feature's mean and variance."""
    classes = sorted(set(labels.tolist()))
    rows = [features[labels == name] for name in classes]
    return {
        "kind": "gaussian_naive_bayes",
        "classes": classes,
        "priors": [len(part) / len(features) for part in rows],
        "means": [part.mean(axis=0).tolist() for part in rows],
        "variances": [(part.var(axis=0) + 1e-9).tolist() for part in rows],
    }


def predict_naive_bayes(model: Params, features: np.ndarray) -> np.ndarray:
    means, variances = np.array(model["means"]), np.array(model["variances"])
    log_likelihood = -0.5 * (
        np.log(2 * np.pi * variances)[None] + (features[:, None] - means[None]) ** 2 / variances
    ).sum(axis=2)
    best = (log_likelihood + np.log(model["priors"])).argmax(axis=1)
    predicted: np.ndarray = np.array(model["classes"])[best]
    return predicted


def fit_logistic_regression(
    features: np.ndarray, labels: np.ndarray, *, steps: int = 300, rate: float = 0.5
) -> Params:
    """Logistic regression by gradient descent on standardised features; each class weighs
    half of the loss, so rare positives (fraud) still count."""
    centre, scale = features.mean(axis=0), features.std(axis=0) + 1e-9
    x = (features - centre) / scale
    positive = labels.mean()
    weight = np.where(labels == 1, 0.5 / positive, 0.5 / (1 - positive))
    coefficients, bias = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        error = (_sigmoid(x @ coefficients + bias) - labels) * weight
        coefficients -= rate * (x.T @ error) / len(x)
        bias -= rate * float(error.mean())
    return {
        "kind": "logistic_regression",
        "centre": centre.tolist(),
        "scale": scale.tolist(),
        "coefficients": coefficients.tolist(),
        "bias": bias,
    }


def fraud_probability(model: Params, features: np.ndarray) -> np.ndarray:
    x = (features - np.array(model["centre"])) / np.array(model["scale"])
    scores: np.ndarray = x @ np.array(model["coefficients"]) + float(model["bias"])
    return _sigmoid(scores)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    squashed: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
    return squashed


def accuracy(predicted: ArrayLike, actual: ArrayLike) -> float:
    return round(float(np.mean(np.asarray(predicted) == np.asarray(actual))), 4)


def precision_recall(flagged: np.ndarray, actual: np.ndarray) -> tuple[float, float]:
    hits = float((flagged & (actual == 1)).sum())
    precision = hits / max(int(flagged.sum()), 1)
    recall = hits / max(int((actual == 1).sum()), 1)
    return round(precision, 4), round(recall, 4)


def roc_auc(scores: np.ndarray, actual: np.ndarray) -> float:
    """The chance that a random positive scores above a random negative (ties count half)."""
    positives, negatives = scores[actual == 1], scores[actual == 0]
    if not len(positives) or not len(negatives):
        return float("nan")
    above = (positives[:, None] > negatives[None]).mean()
    tied = (positives[:, None] == negatives[None]).mean()
    return round(float(above + tied / 2), 4)
