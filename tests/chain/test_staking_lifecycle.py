"""Staking through the application: create a validator, delegate, undelegate, redelegate,
the unbonding period, the active set and CometBFT validator updates (PROTOCOL.md §1.1,
§3.18). Every block checks the bank, staking, distribution and mint invariants."""

from __future__ import annotations

from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2
from cosmpy.protos.cosmos.crypto.ed25519 import keys_pb2 as ed25519_keys
from cosmpy.protos.cosmos.staking.v1beta1 import query_pb2 as staking_query
from cosmpy.protos.cosmos.staking.v1beta1 import staking_pb2
from cosmpy.protos.cosmos.staking.v1beta1 import tx_pb2 as staking_tx
from google.protobuf import any_pb2
from test_standard_modules_support import ALLO, Chain, make_validator_key, operator_of

from pyallora.chain.abci_types import QueryRequest, ValidatorUpdate
from pyallora.chain.staking.state import (
    get_delegation,
    get_last_validator_power,
    get_unbonding_entries,
    get_validator,
    iterate_redelegations,
)
from pyallora.chain.staking.types import BondStatus
from pyallora.client.keys import PrivateKey
from pyallora.core.crypto import decode_address

UNBONDING_S = 10
"""A short unbonding period; blocks are one second apart."""


def coin(amount: int) -> coin_pb2.Coin:
    return coin_pb2.Coin(denom="uallo", amount=str(amount))


def create_validator_msg(
    keys: list[PrivateKey], key_index: int, self_bond: int, **overrides: object
) -> staking_tx.MsgCreateValidator:
    """A ``MsgCreateValidator`` of account ``key_index`` with consensus key ``key_index``."""
    key = keys[key_index]
    pubkey = any_pb2.Any(
        type_url="/cosmos.crypto.ed25519.PubKey",
        value=ed25519_keys.PubKey(key=make_validator_key(key_index).public_key).SerializeToString(),
    )
    fields: dict[str, object] = {
        "description": staking_pb2.Description(moniker=f"new-{key_index}"),
        "commission": staking_pb2.CommissionRates(
            rate=str(ALLO // 10), max_rate=str(ALLO // 5), max_change_rate=str(ALLO // 100)
        ),
        "min_self_delegation": str(ALLO),
        "validator_address": operator_of(key),
        "pubkey": pubkey,
        "value": coin(self_bond),
    }
    fields.update(overrides)
    return staking_tx.MsgCreateValidator(**fields)


def short_chain(**kwargs: object) -> Chain:
    params = {"unbonding_time": f"{UNBONDING_S}s", **kwargs.pop("staking_params", {})}  # type: ignore[dict-item]
    chain = Chain.start(staking_params=params, **kwargs)
    chain.block()
    return chain


def test_genesis_validators_are_returned_by_power() -> None:
    chain = Chain.start()
    powers = [update.power for update in chain.init_validators]
    assert powers == [3000, 2000, 1000]
    assert [update.pub_key for update in chain.init_validators] == [
        make_validator_key(index).public_key for index in (2, 1, 0)
    ]


def test_create_validator_joins_the_set_at_the_end_of_the_block() -> None:
    chain = short_chain()
    before = chain.balance(chain.keys[3].address)
    result = chain.submit(chain.keys[3], create_validator_msg(chain.keys, 3, 1500 * ALLO))
    assert result.code == 0, result.log
    validator = get_validator(chain.store, operator_of(chain.keys[3]))
    assert validator is not None
    assert validator.status == BondStatus.BONDED
    assert validator.tokens == 1500 * ALLO
    assert chain.balance(chain.keys[3].address) == before - 1500 * ALLO
    assert chain.results[-1].validator_updates == (
        ValidatorUpdate(pub_key=make_validator_key(3).public_key, power=1500),
    )


def test_delegate_changes_power_and_emits_only_that_update() -> None:
    chain = short_chain()
    delegator = chain.keys[4]
    operator = operator_of(chain.keys[0])
    result = chain.submit(
        delegator,
        staking_tx.MsgDelegate(
            delegator_address=delegator.address, validator_address=operator, amount=coin(500 * ALLO)
        ),
    )
    assert result.code == 0, result.log
    assert chain.results[-1].validator_updates == (
        ValidatorUpdate(pub_key=make_validator_key(0).public_key, power=1500),
    )
    assert get_delegation(chain.store, delegator.address, operator) == 500 * ALLO * ALLO
    chain.block()
    assert chain.results[-1].validator_updates == ()


def test_undelegate_matures_after_the_unbonding_period() -> None:
    chain = short_chain()
    delegator = chain.keys[4]
    operator = operator_of(chain.keys[1])
    chain.submit(
        delegator,
        staking_tx.MsgDelegate(
            delegator_address=delegator.address, validator_address=operator, amount=coin(300 * ALLO)
        ),
    )
    balance = chain.balance(delegator.address)
    not_bonded = chain.module_balance("not_bonded_tokens_pool")
    result = chain.submit(
        delegator,
        staking_tx.MsgUndelegate(
            delegator_address=delegator.address, validator_address=operator, amount=coin(100 * ALLO)
        ),
    )
    assert result.code == 0, result.log
    started = chain.height
    entries = get_unbonding_entries(chain.store, delegator.address, operator)
    assert [(entry.balance, entry.creation_height) for entry in entries] == [(100 * ALLO, started)]
    assert chain.module_balance("not_bonded_tokens_pool") == not_bonded + 100 * ALLO
    assert chain.results[-1].validator_updates == (
        ValidatorUpdate(pub_key=make_validator_key(1).public_key, power=2200),
    )
    # Withdrawing the delegation's rewards is the only other change of the balance.
    rewards_paid = chain.balance(delegator.address) - balance
    while chain.height < started + UNBONDING_S - 1:
        chain.block()
        assert get_unbonding_entries(chain.store, delegator.address, operator)
        assert chain.balance(delegator.address) == balance + rewards_paid
    chain.block()
    assert get_unbonding_entries(chain.store, delegator.address, operator) == ()
    assert chain.balance(delegator.address) == balance + rewards_paid + 100 * ALLO


def test_redelegate_moves_stake_at_once_and_blocks_transitive_redelegation() -> None:
    chain = short_chain()
    delegator = chain.keys[4]
    src, dst, third = (operator_of(chain.keys[index]) for index in (0, 1, 2))
    chain.submit(
        delegator,
        staking_tx.MsgDelegate(
            delegator_address=delegator.address, validator_address=src, amount=coin(400 * ALLO)
        ),
    )
    result = chain.submit(
        delegator,
        staking_tx.MsgBeginRedelegate(
            delegator_address=delegator.address,
            validator_src_address=src,
            validator_dst_address=dst,
            amount=coin(150 * ALLO),
        ),
    )
    assert result.code == 0, result.log
    assert {update.power for update in chain.results[-1].validator_updates} == {1250, 2150}
    assert get_last_validator_power(chain.store, dst) == 2150
    redelegations = list(iterate_redelegations(chain.store, delegator=delegator.address))
    assert len(redelegations) == 1
    assert redelegations[0][3][0].initial_balance == 150 * ALLO
    transitive = chain.submit(
        delegator,
        staking_tx.MsgBeginRedelegate(
            delegator_address=delegator.address,
            validator_src_address=dst,
            validator_dst_address=third,
            amount=coin(10 * ALLO),
        ),
    )
    assert (transitive.codespace, transitive.code) == ("staking", 32)
    while list(iterate_redelegations(chain.store, delegator=delegator.address)):
        chain.block()
    again = chain.submit(
        delegator,
        staking_tx.MsgBeginRedelegate(
            delegator_address=delegator.address,
            validator_src_address=dst,
            validator_dst_address=third,
            amount=coin(10 * ALLO),
        ),
    )
    assert again.code == 0, again.log


def test_top_validators_by_power_form_the_set_with_max_validators_two() -> None:
    chain = Chain.start(staking_params={"max_validators": "2", "unbonding_time": "5s"})
    assert [update.power for update in chain.init_validators] == [3000, 2000]
    chain.block()
    low = get_validator(chain.store, operator_of(chain.keys[0]))
    assert low is not None and low.status == BondStatus.UNBONDED
    delegator = chain.keys[4]
    result = chain.submit(
        delegator,
        staking_tx.MsgDelegate(
            delegator_address=delegator.address,
            validator_address=operator_of(chain.keys[0]),
            amount=coin(1500 * ALLO),
        ),
    )
    assert result.code == 0, result.log
    assert sorted(
        (update.power, update.pub_key) for update in chain.results[-1].validator_updates
    ) == sorted([(2500, make_validator_key(0).public_key), (0, make_validator_key(1).public_key)])
    leaving = get_validator(chain.store, operator_of(chain.keys[1]))
    assert leaving is not None and leaving.status == BondStatus.UNBONDING
    chain.run(5)
    left = get_validator(chain.store, operator_of(chain.keys[1]))
    assert left is not None and left.status == BondStatus.UNBONDED


def test_equal_power_ties_go_to_the_lower_operator_address() -> None:
    chain = Chain.start(staking_params={"max_validators": "1"}, self_bonds=[1000 * ALLO] * 3)
    operators = sorted(
        (operator_of(chain.keys[index]) for index in range(3)),
        key=lambda operator: decode_address(operator, prefix="allovaloper"),
    )
    winner = next(index for index in range(3) if operator_of(chain.keys[index]) == operators[0])
    assert chain.init_validators == (
        ValidatorUpdate(pub_key=make_validator_key(winner).public_key, power=1000),
    )


def test_cancel_unbonding_returns_stake_to_the_validator() -> None:
    chain = short_chain()
    delegator = chain.keys[4]
    operator = operator_of(chain.keys[2])
    chain.submit(
        delegator,
        staking_tx.MsgDelegate(
            delegator_address=delegator.address, validator_address=operator, amount=coin(50 * ALLO)
        ),
    )
    chain.submit(
        delegator,
        staking_tx.MsgUndelegate(
            delegator_address=delegator.address, validator_address=operator, amount=coin(50 * ALLO)
        ),
    )
    height = chain.height
    result = chain.submit(
        delegator,
        staking_tx.MsgCancelUnbondingDelegation(
            delegator_address=delegator.address,
            validator_address=operator,
            amount=coin(20 * ALLO),
            creation_height=height,
        ),
    )
    assert result.code == 0, result.log
    [entry] = get_unbonding_entries(chain.store, delegator.address, operator)
    assert entry.balance == 30 * ALLO
    validator = get_validator(chain.store, operator)
    assert validator is not None
    assert (
        validator.compute_tokens_from_shares(
            get_delegation(chain.store, delegator.address, operator) or 0
        )
        == 20 * ALLO
    )


def test_queries_report_validators_delegations_and_pool() -> None:
    chain = short_chain()
    delegator = chain.keys[5]
    operator = operator_of(chain.keys[0])
    chain.submit(
        delegator,
        staking_tx.MsgDelegate(
            delegator_address=delegator.address, validator_address=operator, amount=coin(7 * ALLO)
        ),
    )

    def query(method: str, request: object, response_type: type) -> object:
        result = chain.app.query(
            QueryRequest(
                path=f"/cosmos.staking.v1beta1.Query/{method}",
                data=request.SerializeToString(),  # type: ignore[attr-defined]
            )
        )
        assert result.code == 0, result.log
        return response_type.FromString(result.value)  # type: ignore[attr-defined]

    validators = query(
        "Validators",
        staking_query.QueryValidatorsRequest(status="BOND_STATUS_BONDED"),
        staking_query.QueryValidatorsResponse,
    )
    assert len(validators.validators) == 3  # type: ignore[attr-defined]
    delegation = query(
        "Delegation",
        staking_query.QueryDelegationRequest(
            delegator_addr=delegator.address, validator_addr=operator
        ),
        staking_query.QueryDelegationResponse,
    )
    assert delegation.delegation_response.balance.amount == str(7 * ALLO)  # type: ignore[attr-defined]
    pool = query("Pool", staking_query.QueryPoolRequest(), staking_query.QueryPoolResponse)
    assert pool.pool.bonded_tokens == str(6007 * ALLO)  # type: ignore[attr-defined]
    missing = chain.app.query(
        QueryRequest(
            path="/cosmos.staking.v1beta1.Query/Validator",
            data=staking_query.QueryValidatorRequest(
                validator_addr=operator_of(chain.keys[5])
            ).SerializeToString(),
        )
    )
    assert (missing.codespace, missing.code) == ("staking", 3)
