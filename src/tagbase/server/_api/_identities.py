"""Users, service accounts and their tokens (admins only): `tagbase user` and `tagbase token`
over HTTP. A token is shown once, in the answer that creates it."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from tagbase._json import ApiTokenOut, CreatedTokenOut, UserOut
from tagbase.server._api._deps import ClientDep
from tagbase.server._schemas import TokenCreate, UserCreate, UserUpdate
from tagbase.server._security import require_admin

router = APIRouter(tags=["users"], dependencies=[Depends(require_admin)])
_DAY_MS = 86_400_000


@router.get("/users", response_model=list[UserOut])
def list_users(client: ClientDep) -> list[UserOut]:
    return [UserOut.of(user) for user in client.store.list_users()]


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserCreate, client: ClientDep) -> UserOut:
    created = client.store.create_user(
        body.name, role=body.role, email=body.email, service=body.service, teams=body.teams
    )
    return UserOut.of(created)


@router.patch("/users/{name}", response_model=UserOut)
def update_user(name: str, body: UserUpdate, client: ClientDep) -> UserOut:
    updated = client.store.update_user(name, role=body.role, email=body.email, teams=body.teams)
    return UserOut.of(updated)


@router.delete("/users/{name}", status_code=204)
def delete_user(name: str, client: ClientDep) -> Response:
    client.store.delete_user(name)
    return Response(status_code=204)


@router.get("/tokens", response_model=list[ApiTokenOut])
def list_tokens(client: ClientDep, user: str | None = None) -> list[ApiTokenOut]:
    return [ApiTokenOut.of(token) for token in client.store.list_tokens(user)]


@router.post("/tokens", response_model=CreatedTokenOut, status_code=201)
def create_token(body: TokenCreate, client: ClientDep) -> CreatedTokenOut:
    expires_ms = None
    if body.expires_days is not None:
        expires_ms = time.time_ns() // 1_000_000 + int(body.expires_days * _DAY_MS)
    secret, token = client.store.create_token(body.user, label=body.label, expires_ms=expires_ms)
    return CreatedTokenOut(token=secret, listing=ApiTokenOut.of(token))


@router.delete("/tokens/{token_id}", response_model=ApiTokenOut)
def revoke_token(
    token_id: Annotated[int, Path(ge=1, le=2**63 - 1)], client: ClientDep
) -> ApiTokenOut:
    return ApiTokenOut.of(client.store.revoke_token(token_id))
