"""An example tagbase project: a growth team's lead tables and the ML team's models.

- `marketing`: assets made from CRM leads (owners, kinds, group, tags, a table schema, column
  lineage), refreshed by the `nightly_marketing` asset job that selects them by tag.
- `training`: two pipelines of steps that train models with pandas and numpy and record them:
  `iris_training` (a naive Bayes classifier of iris flowers) and `fraud_training` (a logistic
  regression that flags card transactions).
- `reporting`: jobs made of plain ops: a weekly campaign report and a lead clean-up.
- `registry`: the tags the project registers (colour, description, exclusive, cascade).
- `definitions`: `defs`, everything above, with code references linked to git.

Data is generated from a seed (no network), so every run is different but reproducible from
its run id. Load the project with `tagbase load -f examples/definitions.py`, or, from an
installed tagbase, `tagbase load -m tagbase.examples.definitions`.
"""
