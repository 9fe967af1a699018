"""Slashing: double sign → slashed, jailed, tombstoned, never unjailed; downtime → slashed,
jailed, unjailed after the jail period; the MsgUnjail checklist. Blocks carry explicit
commit votes and evidence (:class:`~test_standard_modules_support.ModuleHarness`)."""

from __future__ import annotations

from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2
from cosmpy.protos.cosmos.slashing.v1beta1 import query_pb2 as slashing_query
from cosmpy.protos.cosmos.slashing.v1beta1 import tx_pb2 as slashing_tx
from cosmpy.protos.cosmos.staking.v1beta1 import staking_pb2
from cosmpy.protos.cosmos.staking.v1beta1 import tx_pb2 as staking_tx
from test_standard_modules_support import (
    ALLO,
    CHAIN_ID,
    GENESIS_TIME_NS,
    ModuleHarness,
    check_invariants,
    make_validator_key,
    operator_of,
)

from pyallora.chain.abci_types import (
    BLOCK_ID_FLAG_ABSENT,
    BLOCK_ID_FLAG_COMMIT,
    MISBEHAVIOR_DUPLICATE_VOTE,
    CommitInfo,
    FinalizeBlockRequest,
    Misbehavior,
    ValidatorUpdate,
    VoteInfo,
)
from pyallora.chain.app import App
from pyallora.chain.auth.state import ACCOUNTS, get_account
from pyallora.chain.bank.state import get_supply
from pyallora.chain.context import QueryContext
from pyallora.chain.genesis import GenesisDoc
from pyallora.chain.mint.state import get_ecosystem_tokens_minted
from pyallora.chain.slashing.errors import ValidatorStillJailedError
from pyallora.chain.slashing.infractions import DOUBLE_SIGN_JAIL_END_TIME_NS
from pyallora.chain.slashing.queries import query_params, query_signing_info, query_signing_infos
from pyallora.chain.slashing.state import get_signing_info
from pyallora.chain.staking.state import get_unbonding_entries, get_validator
from pyallora.chain.staking.types import BondStatus
from pyallora.client.tx import build_tx, pack_any
from pyallora.core.crypto import VALCONS_PREFIX, encode_bech32
from pyallora.core.errors import ConsensusError
from pyallora.storage import MemoryCommittedStore

SLASHING = {
    "signed_blocks_window": "10",
    "min_signed_per_window": "0.5",
    "downtime_jail_duration": "60s",
}


def commit(
    absent: tuple[int, ...] = (), powers: tuple[int, ...] = (1000, 2000, 3000)
) -> CommitInfo:
    return CommitInfo(
        votes=tuple(
            VoteInfo(
                validator_address=make_validator_key(index).address,
                power=power,
                block_id_flag=BLOCK_ID_FLAG_ABSENT if index in absent else BLOCK_ID_FLAG_COMMIT,
            )
            for index, power in enumerate(powers)
        )
    )


def unjail(harness: ModuleHarness, index: int) -> tuple[str, slashing_tx.MsgUnjail]:
    return (
        "/cosmos.slashing.v1beta1.MsgUnjail",
        slashing_tx.MsgUnjail(validator_addr=operator_of(harness.keys[index])),
    )


def double_sign(index: int, power: int, height: int) -> Misbehavior:
    return Misbehavior(
        type=MISBEHAVIOR_DUPLICATE_VOTE,
        validator_address=make_validator_key(index).address,
        power=power,
        height=height,
        time_ns=GENESIS_TIME_NS + height * 10**9,
        total_voting_power=6000,
    )


def test_double_sign_slashes_jails_and_tombstones() -> None:
    harness = ModuleHarness(slashing_params=SLASHING, staking_params={"unbonding_time": "100s"})
    delegator = harness.keys[4]
    operator = operator_of(harness.keys[0])
    [response] = harness.block(
        messages=[
            (
                "/cosmos.staking.v1beta1.MsgDelegate",
                staking_tx.MsgDelegate(
                    delegator_address=delegator.address,
                    validator_address=operator,
                    amount=coin_pb2.Coin(denom="uallo", amount=str(200 * ALLO)),
                ),
            )
        ]
    )
    assert not isinstance(response, ConsensusError)
    [response] = harness.block(
        commit=commit(powers=(1200, 2000, 3000)),
        messages=[
            (
                "/cosmos.staking.v1beta1.MsgUndelegate",
                staking_tx.MsgUndelegate(
                    delegator_address=delegator.address,
                    validator_address=operator,
                    amount=coin_pb2.Coin(denom="uallo", amount=str(100 * ALLO)),
                ),
            )
        ],
    )
    assert not isinstance(response, ConsensusError)
    supply_before = get_supply(harness.store)
    minted_before = get_ecosystem_tokens_minted(harness.store)
    tokens_before = get_validator(harness.store, operator).tokens  # type: ignore[union-attr]
    harness.block(commit=commit(powers=(1100, 2000, 3000)), evidence=(double_sign(0, 1200, 2),))
    validator = get_validator(harness.store, operator)
    assert validator is not None and validator.jailed
    assert validator.status == BondStatus.UNBONDING
    # 5 % of the 1,200 ALLO bonded at the infraction: 5 ALLO from the unbonding entry
    # created after it, the remaining 55 ALLO from the validator.
    assert validator.tokens == tokens_before - 55 * ALLO
    [entry] = get_unbonding_entries(harness.store, delegator.address, operator)
    assert entry.balance == 95 * ALLO
    minted = get_ecosystem_tokens_minted(harness.store) - minted_before
    assert get_supply(harness.store) == supply_before + minted - 60 * ALLO
    info = get_signing_info(harness.store, make_validator_key(0).address)
    assert info is not None and info.tombstoned
    assert info.jailed_until_ns == DOUBLE_SIGN_JAIL_END_TIME_NS
    assert harness.last_updates == (
        ValidatorUpdate(pub_key=make_validator_key(0).public_key, power=0),
    )
    tokens_after = validator.tokens
    harness.block(evidence=(double_sign(0, 1200, 2),))
    assert get_validator(harness.store, operator).tokens == tokens_after  # type: ignore[union-attr]
    [refused] = harness.block(messages=[unjail(harness, 0)])
    assert isinstance(refused, ValidatorStillJailedError)
    assert (refused.codespace, refused.code) == ("slashing", 4)
    assert refused.tombstoned
    assert get_validator(harness.store, operator).jailed  # type: ignore[union-attr]


def test_downtime_jails_then_unjail_after_the_jail_period() -> None:
    harness = ModuleHarness(slashing_params=SLASHING)
    operator = operator_of(harness.keys[0])
    harness.block()
    jailed_at = 0
    while not jailed_at:
        harness.block(commit=commit(absent=(0,)))
        if get_validator(harness.store, operator).jailed:  # type: ignore[union-attr]
            jailed_at = harness.height
    # Signing window of 10 from height 1, at most 5 missed: counted from block 2, the
    # validator is jailed at the first height above 1 + 10.
    assert jailed_at == 12
    validator = get_validator(harness.store, operator)
    assert validator is not None
    assert validator.tokens == 1000 * ALLO - 10 * ALLO
    assert harness.last_updates == (
        ValidatorUpdate(pub_key=make_validator_key(0).public_key, power=0),
    )
    info = get_signing_info(harness.store, make_validator_key(0).address)
    assert info is not None and not info.tombstoned
    assert info.jailed_until_ns == harness.time_of(jailed_at) + 60 * 10**9
    assert info.missed_blocks_counter == 0
    [early] = harness.block(commit=commit(absent=(0,)), messages=[unjail(harness, 0)])
    assert isinstance(early, ValidatorStillJailedError)
    assert (early.code, early.tombstoned) == (4, False)
    while harness.time_of(harness.height + 1) < info.jailed_until_ns:
        harness.block(commit=commit(absent=(0,), powers=(0, 2000, 3000)))
    [ok] = harness.block(messages=[unjail(harness, 0)])
    assert not isinstance(ok, ConsensusError)
    assert harness.last_updates == (
        ValidatorUpdate(pub_key=make_validator_key(0).public_key, power=990),
    )
    restarted = get_signing_info(harness.store, make_validator_key(0).address)
    assert restarted is not None and restarted.start_height == harness.height


def test_unjail_checklist_codes() -> None:
    harness = ModuleHarness(slashing_params=SLASHING)
    [not_jailed, unknown] = harness.block(messages=[unjail(harness, 1), unjail(harness, 4)])
    assert isinstance(not_jailed, ConsensusError) and not_jailed.code == 5
    assert isinstance(unknown, ConsensusError) and unknown.code == 2
    operator = operator_of(harness.keys[1])
    raise_minimum = (
        "/cosmos.staking.v1beta1.MsgEditValidator",
        staking_tx.MsgEditValidator(
            description=staking_pb2.Description(moniker="[do-not-modify]"),
            validator_address=operator,
            min_self_delegation=str(1000 * ALLO),
        ),
    )
    below_minimum = (
        "/cosmos.staking.v1beta1.MsgUndelegate",
        staking_tx.MsgUndelegate(
            delegator_address=harness.keys[1].address,
            validator_address=operator,
            amount=coin_pb2.Coin(denom="uallo", amount=str(1000 * ALLO + 1)),
        ),
    )
    responses = harness.block(messages=[raise_minimum, below_minimum])
    assert not any(isinstance(response, ConsensusError) for response in responses)
    # Taking the self-delegation below the minimum jails the validator at once (SDK rule).
    assert get_validator(harness.store, operator).jailed  # type: ignore[union-attr]
    [too_low] = harness.block(messages=[unjail(harness, 1)])
    assert isinstance(too_low, ConsensusError)
    assert (too_low.codespace, too_low.code) == ("slashing", 7)
    everything = (
        "/cosmos.staking.v1beta1.MsgUndelegate",
        staking_tx.MsgUndelegate(
            delegator_address=harness.keys[1].address,
            validator_address=operator,
            amount=coin_pb2.Coin(denom="uallo", amount=str(1000 * ALLO - 1)),
        ),
    )
    [response, missing] = harness.block(messages=[everything, unjail(harness, 1)])
    assert not isinstance(response, ConsensusError)
    assert isinstance(missing, ConsensusError)
    assert (missing.codespace, missing.code) == ("slashing", 6)


def test_unjail_of_a_tombstoned_validator_through_the_application_changes_nothing() -> None:
    harness = ModuleHarness(slashing_params=SLASHING)
    harness.block()
    harness.block(commit=commit(), evidence=(double_sign(2, 3000, 1),))
    app_state = {module.name: module.export_genesis(harness.store) for module in harness.modules}
    genesis = GenesisDoc(chain_id=CHAIN_ID, genesis_time_ns=GENESIS_TIME_NS, app_state=app_state)
    apps = []
    for _ in range(2):
        app = App(MemoryCommittedStore(), modules=harness.modules)
        app.init_chain(genesis.to_init_chain_request())
        app.finalize_block(FinalizeBlockRequest(height=1, time_ns=GENESIS_TIME_NS + 10**9))
        app.commit()
        apps.append(app)
    key = harness.keys[2]
    account = get_account(apps[0].committed_store, key.address)
    assert account is not None
    tx = build_tx(
        [pack_any(slashing_tx.MsgUnjail(validator_addr=operator_of(key)))],
        private_key=key,
        chain_id=CHAIN_ID,
        account_number=account.account_number,
        sequence=account.sequence,
        fee_amount=0,
        gas_limit=500_000,
    )
    results = []
    for app, txs in zip(apps, ((tx,), ()), strict=True):
        results.append(
            app.finalize_block(
                FinalizeBlockRequest(height=2, time_ns=GENESIS_TIME_NS + 2 * 10**9, txs=txs)
            )
        )
        app.commit()
        check_invariants(app.committed_store)
    [result] = results[0].tx_results
    assert (result.codespace, result.code) == ("slashing", 4)
    assert "tombstoned" in result.log
    dirty = dict(apps[0].committed_store.iterate())
    clean = dict(apps[1].committed_store.iterate())
    differing = sorted(key for key in set(dirty) | set(clean) if dirty.get(key) != clean.get(key))
    assert differing == [ACCOUNTS.encode_key(key.address)]


def test_slashing_queries() -> None:
    harness = ModuleHarness(slashing_params=SLASHING)
    harness.block()
    harness.block(commit=commit(absent=(1,)))
    ctx = QueryContext(height=harness.height, chain_id=CHAIN_ID)
    address = encode_bech32(VALCONS_PREFIX, make_validator_key(1).address)
    info = query_signing_info(
        ctx, harness.store, slashing_query.QuerySigningInfoRequest(cons_address=address)
    ).val_signing_info
    assert (info.address, info.missed_blocks_counter, info.index_offset) == (address, 1, 1)
    infos = query_signing_infos(ctx, harness.store, slashing_query.QuerySigningInfosRequest())
    assert len(infos.info) == 3
    params = query_params(ctx, harness.store, slashing_query.QueryParamsRequest()).params
    assert params.signed_blocks_window == 10
    assert params.min_signed_per_window == str(ALLO // 2).encode()
    assert params.downtime_jail_duration.seconds == 60
    unknown = encode_bech32(VALCONS_PREFIX, b"\x01" * 20)
    try:
        query_signing_info(
            ctx, harness.store, slashing_query.QuerySigningInfoRequest(cons_address=unknown)
        )
    except ConsensusError as exc:
        assert (exc.codespace, exc.code) == ("slashing", 8)
    else:
        raise AssertionError("an unknown consensus address must be refused")
