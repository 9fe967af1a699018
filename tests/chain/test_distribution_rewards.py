"""Distribution: allocation by voting power with commission, exact pro-rata delegator
rewards, auto-withdraw on delegation changes, and "every base unit accounted for" (PROTOCOL.md
§6.4). Function-level scenarios run on a branch of a genesis state with explicit commit
votes; message scenarios run through the application with signed txs."""

from __future__ import annotations

from fractions import Fraction

from cosmpy.protos.cosmos.base.abci.v1beta1 import abci_pb2
from cosmpy.protos.cosmos.base.v1beta1 import coin_pb2
from cosmpy.protos.cosmos.distribution.v1beta1 import query_pb2 as distribution_query
from cosmpy.protos.cosmos.distribution.v1beta1 import tx_pb2 as distribution_tx
from cosmpy.protos.cosmos.staking.v1beta1 import tx_pb2 as staking_tx
from hypothesis import given, settings
from hypothesis import strategies as st
from test_standard_modules_support import (
    ALLO,
    Chain,
    ModuleHarness,
    assert_rejected_without_effect,
    check_invariants,
    make_validator_key,
    operator_of,
)

from pyallora.chain.abci_types import CommitInfo, QueryRequest, VoteInfo
from pyallora.chain.auth.state import FEE_COLLECTOR
from pyallora.chain.bank.state import (
    get_balance,
    send_coins_from_account_to_module,
    send_coins_from_module_to_account,
)
from pyallora.chain.distribution.rewards import (
    compute_pending_rewards,
    process_allocate_tokens,
    withdraw_delegation_rewards,
    withdraw_validator_commission,
)
from pyallora.chain.distribution.state import (
    get_commission,
    get_community_pool,
    get_outstanding,
    iterate_outstanding,
)
from pyallora.chain.staking.delegation import TokenSource, delegate, require_validator, unbond
from pyallora.chain.staking.state import (
    compute_operator_account,
    get_delegation,
    get_pool_name,
    get_validator,
    iterate_delegations,
    iterate_last_validator_powers,
)
from pyallora.core.crypto import consensus_address
from pyallora.core.legacy_dec import ONE

TAX = ONE // 50
"""The default community tax (2 %)."""


def votes_of(harness: ModuleHarness) -> CommitInfo:
    """Commit votes carrying the stored active set's powers."""
    votes = []
    for operator, power in iterate_last_validator_powers(harness.store):
        validator = get_validator(harness.store, operator)
        assert validator is not None
        votes.append(
            VoteInfo(validator_address=consensus_address(validator.consensus_pubkey), power=power)
        )
    return CommitInfo(votes=tuple(votes))


def fund_fee_collector(harness: ModuleHarness, amount: int) -> None:
    send_coins_from_account_to_module(
        harness.context(), harness.store, harness.keys[5].address, FEE_COLLECTOR, amount
    )


def test_allocation_splits_by_power_with_commission_and_tax() -> None:
    harness = ModuleHarness(commission_rates=["0.10", "0.05", "0"])
    harness.height = 2
    fees = 1_000_003
    fund_fee_collector(harness, fees)
    votes = CommitInfo(
        votes=(
            VoteInfo(validator_address=make_validator_key(0).address, power=1000),
            VoteInfo(validator_address=make_validator_key(1).address, power=2000),
            VoteInfo(validator_address=make_validator_key(2).address, power=3000),
        )
    )
    assert process_allocate_tokens(harness.context(), harness.store, votes) == fees
    rewards = [fees * (ONE - TAX) * power // (ONE * 6000) for power in (1000, 2000, 3000)]
    commissions = [
        rewards[0] * ONE // 10 // ONE,
        rewards[1] * 5 * ONE // 100 // ONE,
        0,
    ]
    for index in range(3):
        operator = operator_of(harness.keys[index])
        assert get_commission(harness.store, operator) == commissions[index]
        assert get_outstanding(harness.store, operator) == rewards[index] - commissions[index]
    assert get_community_pool(harness.store) == fees - sum(rewards)
    assert get_balance(harness.store, harness.keys[5].address) > 0
    check_invariants(harness.store)


def test_votes_of_unknown_validators_go_to_the_community_pool() -> None:
    harness = ModuleHarness()
    harness.height = 2
    fund_fee_collector(harness, 900)
    votes = CommitInfo(
        votes=(
            VoteInfo(validator_address=make_validator_key(0).address, power=1),
            VoteInfo(validator_address=b"\x07" * 20, power=2),
        )
    )
    process_allocate_tokens(harness.context(), harness.store, votes)
    reward = 900 * (ONE - TAX) // (ONE * 3)
    assert get_community_pool(harness.store) == 900 - reward
    check_invariants(harness.store)


def _settle_everything(harness: ModuleHarness) -> tuple[int, int]:
    """Withdraw every delegation's rewards and every commission; return both totals."""
    ctx = harness.context()
    paid = sum(
        withdraw_delegation_rewards(ctx, harness.store, delegator, operator)
        for delegator, operator, _ in list(iterate_delegations(harness.store))
    )
    commission = sum(
        withdraw_validator_commission(ctx, harness.store, operator_of(harness.keys[index]))
        for index in range(3)
    )
    return paid, commission


def test_every_base_unit_of_the_fee_collector_is_accounted_for() -> None:
    harness = ModuleHarness(commission_rates=["0.10", "0.05", "0"], accounts=9)
    hooks = harness.by_name["staking"].hooks  # type: ignore[attr-defined]
    harness.height = 1
    delegations = [(6, 0, 1 * ALLO + 1), (7, 0, 7 * ALLO + 3), (8, 1, 13 * ALLO + 5), (7, 2, 11)]
    for key, validator, amount in delegations:
        delegate(
            harness.context(),
            harness.store,
            hooks,
            delegator=harness.keys[key].address,
            validator=require_validator(harness.store, operator_of(harness.keys[validator])),
            amount=amount,
            source=TokenSource.ACCOUNT,
        )
    harness.block()
    allocated = 0
    paid = 0
    for round_index in range(25):
        harness.height += 1
        fees = 1_000_003 + 7_919 * round_index
        fund_fee_collector(harness, fees)
        allocated += process_allocate_tokens(harness.context(), harness.store, votes_of(harness))
        if round_index % 6 == 5:
            paid += withdraw_delegation_rewards(
                harness.context(),
                harness.store,
                harness.keys[7].address,
                operator_of(harness.keys[0]),
            )
        check_invariants(harness.store)
    delegator_paid, commission_paid = _settle_everything(harness)
    paid += delegator_paid
    dust = sum(amount for _, amount in iterate_outstanding(harness.store))
    assert paid + commission_paid + get_community_pool(harness.store) + dust == allocated
    assert 0 <= dust < 40
    check_invariants(harness.store)


def test_delegator_rewards_are_pro_rata_to_the_uallo() -> None:
    harness = ModuleHarness(commission_rates=["0.10", "0.10", "0.10"], accounts=8)
    hooks = harness.by_name["staking"].hooks  # type: ignore[attr-defined]
    harness.height = 1
    operator = operator_of(harness.keys[0])
    for key, amount in ((6, 3 * ALLO), (7, 6 * ALLO)):
        delegate(
            harness.context(),
            harness.store,
            hooks,
            delegator=harness.keys[key].address,
            validator=require_validator(harness.store, operator),
            amount=amount,
            source=TokenSource.ACCOUNT,
        )
    harness.block()
    harness.height += 1
    validator = require_validator(harness.store, operator)
    fees = 10**20 + 12_345
    fund_fee_collector(harness, fees)
    vote = CommitInfo(
        votes=(VoteInfo(validator_address=make_validator_key(0).address, power=1009),)
    )
    process_allocate_tokens(harness.context(), harness.store, vote)
    reward = fees * (ONE - TAX) // ONE
    shared = reward - reward // 10
    for key, amount in ((6, 3 * ALLO), (7, 6 * ALLO), (0, 1000 * ALLO)):
        exact = Fraction(shared * amount, validator.tokens)
        owed = compute_pending_rewards(harness.store, harness.keys[key].address, operator)
        assert exact - 1 < owed <= exact


def test_delegating_again_pays_the_pending_rewards_first() -> None:
    harness = ModuleHarness(accounts=7)
    hooks = harness.by_name["staking"].hooks  # type: ignore[attr-defined]
    harness.height = 1
    delegator = harness.keys[6].address
    operator = operator_of(harness.keys[1])
    delegate(
        harness.context(),
        harness.store,
        hooks,
        delegator=delegator,
        validator=require_validator(harness.store, operator),
        amount=5 * ALLO,
        source=TokenSource.ACCOUNT,
    )
    harness.height = 2
    fund_fee_collector(harness, 10**18)
    process_allocate_tokens(harness.context(), harness.store, votes_of(harness))
    pending = compute_pending_rewards(harness.store, delegator, operator)
    assert pending > 0
    before = get_balance(harness.store, delegator)
    delegate(
        harness.context(),
        harness.store,
        hooks,
        delegator=delegator,
        validator=require_validator(harness.store, operator),
        amount=ALLO,
        source=TokenSource.ACCOUNT,
    )
    assert get_balance(harness.store, delegator) == before + pending - ALLO
    assert compute_pending_rewards(harness.store, delegator, operator) == 0


@settings(max_examples=25, deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["fees", "delegate", "undelegate", "withdraw"]),
            st.integers(min_value=0, max_value=2),
            st.integers(min_value=6, max_value=7),
            st.integers(min_value=1, max_value=10**21),
        ),
        min_size=1,
        max_size=14,
    )
)
def test_accounting_identity_holds_under_any_sequence(
    steps: list[tuple[str, int, int, int]],
) -> None:
    harness = ModuleHarness(commission_rates=["0.10", "0.33", "0"], accounts=8)
    hooks = harness.by_name["staking"].hooks  # type: ignore[attr-defined]
    allocated = 0
    paid = 0
    for kind, validator_index, key_index, amount in steps:
        harness.height += 1
        ctx = harness.context()
        operator = operator_of(harness.keys[validator_index])
        delegator = harness.keys[key_index].address
        before = get_balance(harness.store, delegator)
        if kind == "fees":
            fund_fee_collector(harness, amount)
            allocated += process_allocate_tokens(ctx, harness.store, votes_of(harness))
            continue
        held = get_delegation(harness.store, delegator, operator) or 0
        if kind == "delegate":
            delegate(
                ctx,
                harness.store,
                hooks,
                delegator=delegator,
                validator=require_validator(harness.store, operator),
                amount=amount,
                source=TokenSource.ACCOUNT,
            )
            paid += get_balance(harness.store, delegator) - before + amount
        elif kind == "undelegate" and held:
            validator = require_validator(harness.store, operator)
            pool = get_pool_name(validator)
            _, released = unbond(
                ctx, harness.store, hooks, delegator=delegator, operator=operator, shares=held
            )
            send_coins_from_module_to_account(ctx, harness.store, pool, delegator, released)
            paid += get_balance(harness.store, delegator) - before - released
        elif kind == "withdraw" and held:
            paid += withdraw_delegation_rewards(ctx, harness.store, delegator, operator)
        check_invariants(harness.store)
    delegator_paid, commission_paid = _settle_everything(harness)
    dust = sum(amount for _, amount in iterate_outstanding(harness.store))
    assert paid + delegator_paid + commission_paid + get_community_pool(harness.store) + dust == (
        allocated
    )


def _tx_amount(result_data: bytes, response_type: type) -> int:
    data = abci_pb2.TxMsgData.FromString(result_data)
    response = response_type.FromString(data.msg_responses[0].value)
    return sum(int(coin.amount) for coin in response.amount)


def test_withdraw_messages_through_the_application() -> None:
    chain = Chain.start(commission_rates=["0.10", "0.05", "0"])
    chain.block()
    delegator = chain.keys[4]
    operator = operator_of(chain.keys[1])
    result = chain.submit(
        delegator,
        staking_tx.MsgDelegate(
            delegator_address=delegator.address,
            validator_address=operator,
            amount=coin_pb2.Coin(denom="uallo", amount=str(50 * ALLO)),
        ),
    )
    assert result.code == 0, result.log
    chain.run(3)
    query = chain.app.query(
        QueryRequest(
            path="/cosmos.distribution.v1beta1.Query/DelegationRewards",
            data=distribution_query.QueryDelegationRewardsRequest(
                delegator_address=delegator.address, validator_address=operator
            ).SerializeToString(),
        )
    )
    assert query.code == 0, query.log
    queried = distribution_query.QueryDelegationRewardsResponse.FromString(query.value)
    pending_units = int(queried.rewards[0].amount)
    before = chain.balance(delegator.address)
    result = chain.submit(
        delegator,
        distribution_tx.MsgWithdrawDelegatorReward(
            delegator_address=delegator.address, validator_address=operator
        ),
    )
    assert result.code == 0, result.log
    amount = _tx_amount(result.data, distribution_tx.MsgWithdrawDelegatorRewardResponse)
    assert amount >= pending_units // ONE > 0
    assert chain.balance(delegator.address) == before + amount
    operator_account = chain.keys[1]
    commission_before = chain.balance(operator_account.address)
    result = chain.submit(
        operator_account,
        distribution_tx.MsgWithdrawValidatorCommission(validator_address=operator),
    )
    assert result.code == 0, result.log
    paid = _tx_amount(result.data, distribution_tx.MsgWithdrawValidatorCommissionResponse)
    assert paid > 0
    assert chain.balance(operator_account.address) == commission_before + paid
    assert get_commission(chain.store, operator) == 0
    chain.block()
    assert get_commission(chain.store, operator) > 0
    assert compute_operator_account(operator) == operator_account.address


def test_full_unbonding_removes_the_validator_and_sweeps_its_dust() -> None:
    chain = Chain.start(
        staking_params={"unbonding_time": "3s", "max_validators": "3"},
        commission_rates=["0.10", "0.05", "0.07"],
        self_bonds=[ALLO + 7, 2000 * ALLO, 3000 * ALLO],
    )
    chain.block()
    operator = operator_of(chain.keys[0])
    chain.run(2)
    shares_key = chain.keys[0]
    result = chain.submit(
        shares_key,
        staking_tx.MsgUndelegate(
            delegator_address=shares_key.address,
            validator_address=operator,
            amount=coin_pb2.Coin(denom="uallo", amount=str(ALLO + 7)),
        ),
    )
    assert result.code == 0, result.log
    chain.run(6)
    assert get_validator(chain.store, operator) is None
    assert get_outstanding(chain.store, operator) == 0
    assert get_commission(chain.store, operator) == 0
    assert all(name != operator for name, _ in iterate_outstanding(chain.store))


def test_rejections_of_distribution_messages() -> None:
    genesis = {"commission_rates": ["0.10", "0.05", "0"]}
    keys = Chain.start(**genesis).keys
    assert_rejected_without_effect(
        genesis,
        [],
        4,
        [
            distribution_tx.MsgWithdrawDelegatorReward(
                delegator_address=keys[4].address, validator_address=operator_of(keys[5])
            )
        ],
        codespace="staking",
        code=3,
    )
    assert_rejected_without_effect(
        genesis,
        [],
        4,
        [
            distribution_tx.MsgWithdrawDelegatorReward(
                delegator_address=keys[4].address, validator_address=operator_of(keys[0])
            )
        ],
        codespace="staking",
        code=19,
    )
    assert_rejected_without_effect(
        genesis,
        [],
        2,
        [distribution_tx.MsgWithdrawValidatorCommission(validator_address=operator_of(keys[2]))],
        codespace="distribution",
        code=7,
    )
    assert_rejected_without_effect(
        genesis,
        [],
        4,
        [
            distribution_tx.MsgSetWithdrawAddress(
                delegator_address=keys[4].address,
                withdraw_address="allo17xpfvakm2amg962yls6f84z3kell8c5l72eruy",
            )
        ],
        codespace="sdk",
        code=4,
    )


def test_distribution_queries_add_up() -> None:
    chain = Chain.start(commission_rates=["0.10", "0.05", "0"])
    chain.run(3)
    operator = operator_of(chain.keys[0])

    def query(method: str, request: object, response_type: type) -> object:
        result = chain.app.query(
            QueryRequest(
                path=f"/cosmos.distribution.v1beta1.Query/{method}",
                data=request.SerializeToString(),  # type: ignore[attr-defined]
            )
        )
        assert result.code == 0, result.log
        return response_type.FromString(result.value)  # type: ignore[attr-defined]

    commission = query(
        "ValidatorCommission",
        distribution_query.QueryValidatorCommissionRequest(validator_address=operator),
        distribution_query.QueryValidatorCommissionResponse,
    )
    outstanding = query(
        "ValidatorOutstandingRewards",
        distribution_query.QueryValidatorOutstandingRewardsRequest(validator_address=operator),
        distribution_query.QueryValidatorOutstandingRewardsResponse,
    )
    total = query(
        "DelegationTotalRewards",
        distribution_query.QueryDelegationTotalRewardsRequest(
            delegator_address=chain.keys[0].address
        ),
        distribution_query.QueryDelegationTotalRewardsResponse,
    )
    pool = query(
        "CommunityPool",
        distribution_query.QueryCommunityPoolRequest(),
        distribution_query.QueryCommunityPoolResponse,
    )
    commission_units = int(commission.commission.commission[0].amount)  # type: ignore[attr-defined]
    outstanding_units = int(outstanding.rewards.rewards[0].amount)  # type: ignore[attr-defined]
    owed_units = int(total.total[0].amount)  # type: ignore[attr-defined]
    assert commission_units == get_commission(chain.store, operator) * ONE
    assert (
        outstanding_units
        == (get_commission(chain.store, operator) + get_outstanding(chain.store, operator)) * ONE
    )
    # The operator is the only delegator: it is owed everything but the dust (< 1 uallo).
    assert 0 <= outstanding_units - commission_units - owed_units < ONE
    assert int(pool.pool[0].amount) == get_community_pool(chain.store) * ONE  # type: ignore[attr-defined]
