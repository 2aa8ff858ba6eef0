"""The ML team's pipelines: each run trains a model with pandas and numpy, and records it.

`iris_training` makes a new `iris_classifier` version per run; its `evaluate_classifier` step
logs the accuracy on the run and on the model version (so accuracy forms a series across
versions), and `promote` hands the exclusive `champion` tag to the version when it beats the
current champion. The run takes the exclusive `latest` tag from the previous run, and the
cascade tag `iris_baseline` goes on every artifact version the run makes.

`fraud_training` retrains version `FRAUD_MODEL_VERSION` of `fraud_detector` in place: each run
logs that version's precision, recall and AUC again, so its metadata history is the series.
"""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd

from tagbase import (
    ArtifactConfig,
    Client,
    Model,
    Tag,
    add_tags,
    get_step_context,
    log_metadata,
    pipeline,
    step,
)

from . import data, models

TEST_SHARE = 0.3
HIGH_ACCURACY = 0.9
FRAUD_MODEL_VERSION = "2024.06"
FRAUD_THRESHOLD = 0.8

# -- iris ------------------------------------------------------------------------------------


@step
def load_iris() -> Annotated[pd.DataFrame, ArtifactConfig(name="iris_data", tags=["raw"])]:
    """Measure 150 flowers (drawn around Fisher's statistics, seeded by the run)."""
    return data.iris(data.generator(get_step_context().run_id))


@step
def split_iris(
    iris: pd.DataFrame,
) -> tuple[
    Annotated[pd.DataFrame, ArtifactConfig(name="iris_train", tags=["training"])],
    Annotated[pd.DataFrame, ArtifactConfig(name="iris_test", tags=["testing"])],
]:
    test = iris.groupby("species").sample(frac=TEST_SHARE, random_state=0)
    return iris.drop(test.index), test


@step
def train_classifier(
    train: pd.DataFrame,
) -> Annotated[dict[str, Any], ArtifactConfig(name="iris_model", is_model_artifact=True)]:
    model = models.fit_naive_bayes(train[list(data.MEASUREMENTS)].to_numpy(), train.species)
    add_tags(["naive-bayes"], infer_artifact=True)  # the model artifact's new version
    log_metadata({"training_rows": len(train)}, infer_model=True)
    return model


@step
def evaluate_classifier(model: dict[str, Any], test: pd.DataFrame) -> float:
    predicted = models.predict_naive_bayes(model, test[list(data.MEASUREMENTS)].to_numpy())
    scores = {"accuracy": models.accuracy(predicted, test.species), "test_rows": len(test)}
    log_metadata(scores)  # the run
    log_metadata(scores, infer_model=True)  # the model version this run made
    if scores["accuracy"] >= HIGH_ACCURACY:
        add_tags(["high_accuracy"])  # no target inside a step: the current run
    return float(scores["accuracy"])


@step
def promote(accuracy: float) -> None:
    """Give `champion` (exclusive: one version holds it) to this version if it scores best."""
    model, version = get_step_context().model_version or ("", "")
    champions = Client().list_model_versions(model, tags=["champion"])
    best = max((float(v.metadata["accuracy"].value) for v in champions), default=-1.0)
    if accuracy > best:
        add_tags(["champion"], model_name=model, model_version=version)


@pipeline(
    tags=[Tag("latest", exclusive=True), Tag("iris_baseline", cascade=True), "training"],
    model=Model(name="iris_classifier", tags=["naive-bayes", "iris"]),
)
def iris_training() -> None:
    """Load iris measurements, split them, train a classifier, evaluate and promote it."""
    train, test = split_iris(load_iris())
    accuracy = evaluate_classifier(train_classifier(train), test)
    promote(accuracy)


# -- fraud -----------------------------------------------------------------------------------


@step
def load_transactions() -> Annotated[
    pd.DataFrame, ArtifactConfig(name="card_transactions", tags=["pii", "finance"])
]:
    rng = data.generator(get_step_context().run_id)
    return data.transactions(rng, rows=4000, fraud_rate=float(rng.uniform(0.02, 0.05)))


@step
def train_fraud_model(
    transactions: pd.DataFrame,
) -> Annotated[dict[str, Any], ArtifactConfig(name="fraud_model", is_model_artifact=True)]:
    features = transactions[list(data.TRANSACTION_FEATURES)].to_numpy(dtype=float)
    return models.fit_logistic_regression(features, transactions.is_fraud.to_numpy())


@step
def evaluate_fraud_model(model: dict[str, Any], transactions: pd.DataFrame) -> None:
    features = transactions[list(data.TRANSACTION_FEATURES)].to_numpy(dtype=float)
    actual = transactions.is_fraud.to_numpy()
    probability = models.fraud_probability(model, features)
    precision, recall = models.precision_recall(probability >= FRAUD_THRESHOLD, actual)
    scores = {"precision": precision, "recall": recall, "auc": models.roc_auc(probability, actual)}
    log_metadata(scores)
    log_metadata({**scores, "fraud_rate": round(float(actual.mean()), 4)}, infer_model=True)


@pipeline(
    tags=[Tag("latest", exclusive=True), "fraud", "training"],
    model=Model(name="fraud_detector", version=FRAUD_MODEL_VERSION, tags=["logistic-regression"]),
)
def fraud_training() -> None:
    """Retrain the fraud detector on the day's card transactions and score it."""
    transactions = load_transactions()
    evaluate_fraud_model(train_fraud_model(transactions), transactions)
