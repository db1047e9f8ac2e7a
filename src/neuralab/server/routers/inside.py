"""Routes that look inside the models a comparison trained, and try them on new digits.

Every route takes the comparison's settings (the ``compare`` parameters, as query fields or,
for the JSON prediction, in the body) and answers 404 when no comparison with exactly those
settings is in memory: it was never trained, or was forgotten to make room for newer ones
(a learner's own latest comparisons are kept for them: :mod:`neuralab.server.learners`).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, ValidationError, create_model

from neuralab.labs import inside
from neuralab.labs.compare import ComparisonResult
from neuralab.params import ParamError
from neuralab.server.deps import Kept
from neuralab.server.errors import validation_detail
from neuralab.server.learners import Comparisons
from neuralab.server.schemas import request_model

router = APIRouter(prefix="/api/inside", tags=["inside"])

INSIDE = ("k", "levels", "model", "true", "pred", "limit", "index", "pixels", "preprocess")
MAX_JSON_BYTES = 256 * 1024  # a 28x28 array of numbers is under 20 KB


def _model(name: str, *fields: str, body: bool = False,
           required: tuple[str, ...] = ()) -> type[BaseModel]:
    """The comparison's settings plus some of the ``inside`` parameters, as one model."""
    own = request_model("inside", exclude=tuple(f for f in INSIDE if f not in fields),
                        body=body, required=required)
    return create_model(name, __base__=(request_model("compare", body=body), own))


Settings = _model("InsideSettings")
MlpQuery = _model("MlpQuery", "k")
TreeQuery = _model("TreeQuery", "levels")
CellQuery = _model("CellQuery", "model", "true", "pred", "limit")
ErrorsQuery = _model("ErrorsQuery", "model", "limit")
DigitQuery = _model("DigitQuery", "index")
PredictBody = _model("PredictBody", "pixels", "preprocess", body=True, required=("pixels",))
# The body but its pixels, which are checked first (the message names the first bad pixel).
PredictRest = _model("PredictRest", "preprocess", body=True)
COMPARE_FIELDS = tuple(request_model("compare").model_fields)


def _comparison(models: Comparisons, values: dict[str, Any]) -> ComparisonResult:
    settings = {name: values[name] for name in COMPARE_FIELDS}
    result = models.comparison(settings, scope="ui")
    if result is None:
        raise HTTPException(404, (
            "No comparison trained with these settings is in memory (MLP {mlp_depth} x "
            "{mlp_width}, tree depth {tree_depth}, {train_size} training images, seed {seed}): "
            "it was never trained, or it was forgotten to make room for newer ones. "
            "Train it first (POST /api/compare or the MNIST section), then look inside."
        ).format(**settings))
    return result


@router.get("/status", summary="Whether a comparison with these settings is in memory")
def status(q: Annotated[Settings, Query()],  # type: ignore[valid-type]
           models: Kept) -> dict[str, Any]:
    """Always 200: ``trained`` says whether the other routes can look inside it (the page
    asks this first, so an untrained comparison is not an error in the browser)."""
    values = q.model_dump()  # type: ignore[attr-defined]
    result = models.comparison({name: values[name] for name in COMPARE_FIELDS}, scope="ui")
    if result is None:
        return {"trained": False, "params": values}
    return {"trained": True, **inside.summary(result)}


@router.get("/mlp", summary="The trained MLP: layers, thinned connections, biases, weights")
def mlp(q: Annotated[MlpQuery, Query()],  # type: ignore[valid-type]
        models: Kept) -> dict[str, Any]:
    values = q.model_dump()  # type: ignore[attr-defined]
    result = _comparison(models, values)
    return {**inside.mlp_diagram(result, values["k"]),
            "first_layer": inside.first_layer_images(result)}


@router.get("/logistic", summary="Logistic regression's ten weight images")
def logistic(q: Annotated[Settings, Query()],  # type: ignore[valid-type]
        models: Kept) -> dict[str, Any]:
    return inside.logistic_images(_comparison(models, q.model_dump()))  # type: ignore[attr-defined]


@router.get("/tree", summary="The decision tree's top levels, as the comparison cut it")
def tree(q: Annotated[TreeQuery, Query()],  # type: ignore[valid-type]
        models: Kept) -> dict[str, Any]:
    values = q.model_dump()  # type: ignore[attr-defined]
    return inside.tree_top(_comparison(models, values), values["levels"])


@router.get("/confusion", summary="A confusion matrix per model on the validation set")
def confusion(q: Annotated[Settings, Query()],  # type: ignore[valid-type]
        models: Kept) -> dict[str, Any]:
    return inside.confusion(_comparison(models, q.model_dump()))  # type: ignore[attr-defined]


@router.get("/cell", summary="The validation digits behind one confusion-matrix cell")
def cell(q: Annotated[CellQuery, Query()],  # type: ignore[valid-type]
        models: Kept) -> dict[str, Any]:
    v = q.model_dump()  # type: ignore[attr-defined]
    return inside.cell_digits(_comparison(models, v), v["model"], v["true"], v["pred"], v["limit"])


@router.get("/errors", summary="Misclassified validation digits, most confident first")
def errors(q: Annotated[ErrorsQuery, Query()],  # type: ignore[valid-type]
        models: Kept) -> dict[str, Any]:
    v = q.model_dump()  # type: ignore[attr-defined]
    return inside.misclassified(_comparison(models, v), v["model"], v["limit"])


@router.get("/digit", summary="One validation digit and the three models' predictions")
def digit(q: Annotated[DigitQuery, Query()],  # type: ignore[valid-type]
        models: Kept) -> dict[str, Any]:
    v = q.model_dump()  # type: ignore[attr-defined]
    return inside.validation_digit(_comparison(models, v), v["index"])


async def _read(request: Request, limit: int, what: str) -> bytes:
    """The request body, refused (422) past ``limit`` bytes without reading it all."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ParamError(what, f"at most {limit} bytes",
                         message=f"the {what} is {declared} bytes; it must be at most {limit}")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise ParamError(what, f"at most {limit} bytes",
                             message=f"the {what} is over {limit} bytes")
    return bytes(body)


PREDICT_DOC = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": PredictBody.model_json_schema()}}}}


@router.post("/predict", summary="The three models' predictions for a 28x28 input",
             openapi_extra=PREDICT_DOC)
async def predict(request: Request, models: Kept) -> dict[str, Any]:
    """Body: the comparison's settings, ``pixels`` (28x28 numbers from 0 to 1) and
    ``preprocess`` (true to fit and centre a drawing as MNIST was made)."""
    raw = await _read(request, MAX_JSON_BYTES, "body")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # (BodyLimit already refuses deep nesting)
        raise ParamError("body", "a JSON object", message=f"the body is not JSON: {exc}") \
            from None
    if not isinstance(data, dict):
        raise ParamError("body", "a JSON object", message="the body must be a JSON object "
                         'like {"pixels": [[0, ...], ...]}')
    x = inside.check_input(data.get("pixels"))  # names the first bad pixel
    try:
        rest = {key: value for key, value in data.items() if key != "pixels"}
        values = PredictRest.model_validate(rest).model_dump()
    except ValidationError as exc:
        raise HTTPException(422, validation_detail(exc.errors())) from None
    result = _comparison(models, values)
    return inside.predict_all(result, inside.mnist_style(x) if values["preprocess"] else x)


@router.post("/predict.png", summary="The three models' predictions for a drawing (PNG)",
             openapi_extra={"requestBody": {"required": True,
                                            "content": {"image/png": {"schema": {
                                                "type": "string", "format": "binary"}}}}})
async def predict_png(request: Request, models: Kept,
                      q: Annotated[Settings, Query()]) -> dict[str, Any]:  # type: ignore[valid-type]
    """Body: a PNG (at most 512 KiB and 1024x1024). It is fitted and centred as MNIST was
    made; the answer's ``input`` is the 28x28 result the models saw."""
    result = _comparison(models, q.model_dump())  # type: ignore[attr-defined]
    data = await _read(request, inside.MAX_PNG_BYTES, "image")
    return inside.predict_all(result, inside.mnist_style(inside.ink_from_png(data)))
