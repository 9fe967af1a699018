"""The mint's begin block and emission recalculation on chain state (PROTOCOL.md §5.2, §6).

The mathematics is :mod:`pyallora.synthesis.emission` (SYNTHESIS.md §15); this module reads
the state it needs, calls those pure functions and moves the money:

* :func:`recalculate_emission` (§6.3, at ``h mod blocks_per_month = 1`` and on the admin
  messages): network staked = the bonded pool + the reputers' total stake; stores e (as a
  LegacyDec, truncated, as the reference's type) and the per-block emission B; emits
  ``mint.v3.EventTokenomicsSet``;
* :func:`process_mint_begin_block` (§5.2, §6.4, every block): mint the ecosystem's shortfall
  (bounded by its remaining allowance, ``max_supply × ecosystem share``), pay
  ``⌊v × B⌋`` to ``fee_collector`` and the rest to ``allorarewards``, record the allora cut
  for the emissions end block; emits ``EventEcosystemTokenMintSet`` when minting and
  ``EventRewardCurrentBlockEmission`` every block.

Conversions of the emissions Decs v and p to LegacyDec (Appendix C23): by default their
decimal text is truncated to 18 decimals; under ``reference_compat`` a text with more than 18
decimals fails the recalculation, as in the reference.

Failure policy (the reference halts the chain whenever the mint begin block errors):

* a recalculation that cannot be computed (no staked tokens, negative circulating supply,
  the C23 conversion) keeps the previous e and B by default; under ``reference_compat`` it
  raises :class:`~pyallora.chain.mint.errors.MintHaltError` (the node halts);
* when the ecosystem cannot cover B even after the capped mint (allowance exhausted, not
  enough fees), the block emits what the ecosystem holds — B' = balance + remaining
  allowance, split by the same rule — by default; under ``reference_compat`` it halts.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyallora.chain.auth.state import ECOSYSTEM, FEE_COLLECTOR, get_module_address
from pyallora.chain.bank.state import (
    get_balance,
    mint_coins,
    send_coins_from_module_to_module,
)
from pyallora.chain.context import Context
from pyallora.chain.mint.bridge import EmissionsBridge
from pyallora.chain.mint.errors import (
    MintHaltError,
    NegativeCirculatingSupplyError,
    ZeroDenominatorError,
)
from pyallora.chain.mint.params import MintParamsRecord
from pyallora.chain.mint.state import (
    get_ecosystem_tokens_minted,
    get_params,
    get_previous_block_emission,
    get_previous_reward_emission,
    set_ecosystem_tokens_minted,
    set_previous_block_emission,
    set_previous_reward_emission,
)
from pyallora.chain.staking.state import get_bonded_tokens
from pyallora.chain.store.kv import KVStore, ReadableKVStore
from pyallora.chain.tx.errors import InvalidRequestError
from pyallora.core.dec import Dec, dec, dec_context
from pyallora.core.dectext import plain_dec_text
from pyallora.core.errors import ConsensusError, InvalidDecError, SynthesisInputError
from pyallora.core.legacy_dec import (
    ONE,
    LegacyDecError,
    format_legacy_dec_json,
    parse_legacy_dec_json,
)
from pyallora.proto.mint.v3 import events_pb2 as mint_events
from pyallora.synthesis.emission import (
    BlockEmissionSplit,
    EmissionError,
    LegacyDec,
    MintParams,
    MonthlyEmission,
    MonthlyEmissionState,
    compute_block_emission_split,
    compute_ecosystem_mint_allowance,
    compute_monthly_emission,
    is_emission_recalculation_height,
)

MINT_MODULE_ACCOUNT = "mint"
"""Transit account of freshly minted coins (``minter`` permission)."""

ALLORA_REWARDS = "allorarewards"
"""The Allora (non-validator) share of emission."""


class ConversionError(InvalidRequestError):
    """An emissions Dec with more than 18 decimals under ``reference_compat`` (C23)."""


def compute_legacy_units(text: str, *, reference_compat: bool) -> int:
    """LegacyDec units of an emissions Dec given as decimal text (Appendix C23).

    Raises
    ------
    ConversionError
        Under ``reference_compat``, for more than 18 fractional digits; or for text that is
        not a decimal number.
    """
    try:
        plain = plain_dec_text(text)
        return parse_legacy_dec_json(plain, truncate=not reference_compat)
    except (LegacyDecError, InvalidDecError) as exc:
        raise ConversionError(f"cannot convert {text[:60]!r} to a LegacyDec: {exc}") from exc


def compute_dec_of_units(units: int) -> Dec:
    """The engine Dec of a LegacyDec (built from its 18-digit text)."""
    with dec_context():
        return dec(format_legacy_dec_json(units))


@dataclass(frozen=True, slots=True, kw_only=True)
class MintInputs:
    """The engine parameters and switches of one block, read from the state."""

    params: MintParams
    """Engine parameters (mint params + v and blocks per month)."""
    validators_share: int
    """v in LegacyDec units."""
    reference_compat: bool


def _read_share(text: str, what: str, *, reference_compat: bool) -> int:
    units = compute_legacy_units(text, reference_compat=reference_compat)
    if not 0 <= units <= ONE:
        raise ConversionError(f"{what} {text[:60]!r} is not in [0, 1]")
    return units


def read_mint_inputs(store: ReadableKVStore, bridge: EmissionsBridge) -> MintInputs:
    """Build the engine parameters from the stored params and the bridge values (v is
    converted in every block, as in the reference).

    Raises
    ------
    ConversionError
        v out of [0, 1], or a C23 conversion failure under ``reference_compat``.
    """
    compat = bridge.is_reference_compat(store)
    validators = _read_share(
        bridge.get_validators_share_text(store), "validators' share", reference_compat=compat
    )
    return MintInputs(
        params=compute_engine_params(
            get_params(store),
            validators_share=validators,
            blocks_per_month=bridge.get_blocks_per_month(store),
        ),
        validators_share=validators,
        reference_compat=compat,
    )


def read_reputers_share(store: ReadableKVStore, bridge: EmissionsBridge) -> int:
    """p in LegacyDec units (converted only by the recalculation, as in the reference).

    Raises
    ------
    ConversionError
        p out of [0, 1], or more than 18 decimals under ``reference_compat`` (C23).
    """
    return _read_share(
        bridge.get_reputers_share_text(store),
        "previous reputers' share",
        reference_compat=bridge.is_reference_compat(store),
    )


def compute_engine_params(
    record: MintParamsRecord, *, validators_share: int, blocks_per_month: int
) -> MintParams:
    """The :class:`~pyallora.synthesis.emission.MintParams` of a stored record."""
    return MintParams(
        max_supply=record.max_supply,
        f_emission=compute_dec_of_units(record.f_emission),
        one_month_smoothing_degree=compute_dec_of_units(record.one_month_smoothing_degree),
        ecosystem_treasury_percent_of_total_supply=compute_dec_of_units(
            record.ecosystem_treasury_percent_of_total_supply
        ),
        foundation_treasury_percent_of_total_supply=compute_dec_of_units(
            record.foundation_treasury_percent_of_total_supply
        ),
        participants_percent_of_total_supply=compute_dec_of_units(
            record.participants_percent_of_total_supply
        ),
        investors_percent_of_total_supply=compute_dec_of_units(
            record.investors_percent_of_total_supply
        ),
        team_percent_of_total_supply=compute_dec_of_units(record.team_percent_of_total_supply),
        investors_preseed_percent_of_total_supply=compute_dec_of_units(
            record.investors_preseed_percent_of_total_supply
        ),
        maximum_monthly_percentage_yield=compute_dec_of_units(
            record.maximum_monthly_percentage_yield
        ),
        validators_vs_allora_percent_reward=compute_dec_of_units(validators_share),
        blocks_per_month=blocks_per_month,
    )


def get_ecosystem_balance(store: ReadableKVStore) -> int:
    """uallo held by the ``ecosystem`` account."""
    return get_balance(store, get_module_address(ECOSYSTEM))


def get_network_staked(store: ReadableKVStore, bridge: EmissionsBridge) -> int:
    """Validators' bonded tokens + reputers' total stake (PROTOCOL.md §6.2)."""
    return get_bonded_tokens(store) + bridge.get_total_stake(store)


def compute_emission_preview(
    store: ReadableKVStore, bridge: EmissionsBridge, height: int
) -> MonthlyEmission:
    """What a recalculation at ``height`` would compute from the current state.

    Raises
    ------
    ZeroDenominatorError
        No staked tokens, or a zero stakers' share (mint 5).
    NegativeCirculatingSupplyError
        The circulating estimate is negative (mint 6).
    ConversionError
        A C23 conversion failure under ``reference_compat``.
    """
    inputs = read_mint_inputs(store, bridge)
    reputers_share = read_reputers_share(store, bridge)
    staked = get_network_staked(store, bridge)
    if staked == 0:
        raise ZeroDenominatorError(
            "network staked tokens are 0: bond validator stake before the emission is computed"
        )
    if inputs.validators_share == 0 and reputers_share == 0:
        raise ZeroDenominatorError("the stakers' share v + (1 - v) p is 0")
    with dec_context():
        state = MonthlyEmissionState(
            height=height,
            validators_bonded=get_bonded_tokens(store),
            reputers_stake=bridge.get_total_stake(store),
            ecosystem_balance=get_ecosystem_balance(store),
            ecosystem_minted=get_ecosystem_tokens_minted(store),
            previous_emission_per_staked_token=LegacyDec(units=get_previous_reward_emission(store)),
            previous_reputers_share=compute_dec_of_units(reputers_share),
        )
        try:
            return compute_monthly_emission(state, inputs.params)
        except EmissionError as exc:
            raise NegativeCirculatingSupplyError(f"cannot compute the emission: {exc}") from exc


def recalculate_emission(ctx: Context, store: KVStore, bridge: EmissionsBridge) -> MonthlyEmission:
    """Run the monthly recalculation now (§6.3) and store e and B.

    Raises
    ------
    ZeroDenominatorError, NegativeCirculatingSupplyError, ConversionError
        See :func:`compute_emission_preview`; nothing is written then.
    """
    result = compute_emission_preview(store, bridge, ctx.height)
    set_previous_reward_emission(store, result.emission_per_staked_token.units)
    set_previous_block_emission(store, result.block_emission)
    ctx.events.emit_proto(
        mint_events.EventTokenomicsSet(
            staked_token_amount=str(result.staked),
            circulating_supply=str(result.circulating),
            emissions_amount=str(result.monthly_emission),
        )
    )
    return result


def compute_block_split(
    store: ReadableKVStore, inputs: MintInputs, block_emission: int
) -> BlockEmissionSplit:
    """The block's mint and cuts; when the ecosystem cannot cover B, the reduced emission
    B' = balance + allowance (default policy, module docstring).

    Raises
    ------
    MintHaltError
        Under ``reference_compat`` when the ecosystem cannot cover B.
    """
    balance = get_ecosystem_balance(store)
    minted = get_ecosystem_tokens_minted(store)
    try:
        return compute_block_emission_split(
            block_emission=block_emission,
            ecosystem_balance=balance,
            ecosystem_minted=minted,
            params=inputs.params,
        )
    except EmissionError as exc:
        if inputs.reference_compat:
            raise MintHaltError(f"mint begin block failed (reference behaviour): {exc}") from exc
    available = balance + compute_ecosystem_mint_allowance(minted, inputs.params)
    return compute_block_emission_split(
        block_emission=available,
        ecosystem_balance=balance,
        ecosystem_minted=minted,
        params=inputs.params,
    )


def pay_block_emission(
    ctx: Context, store: KVStore, bridge: EmissionsBridge, split: BlockEmissionSplit
) -> None:
    """Mint the shortfall into ``ecosystem`` and pay the two cuts (§5.2 steps 2-3)."""
    if split.minted:
        mint_coins(ctx, store, MINT_MODULE_ACCOUNT, split.minted)
        send_coins_from_module_to_module(ctx, store, MINT_MODULE_ACCOUNT, ECOSYSTEM, split.minted)
        set_ecosystem_tokens_minted(store, get_ecosystem_tokens_minted(store) + split.minted)
        ctx.events.emit_proto(
            mint_events.EventEcosystemTokenMintSet(
                block_height=ctx.height, token_amount=str(split.minted)
            )
        )
    if split.validator_cut:
        send_coins_from_module_to_module(ctx, store, ECOSYSTEM, FEE_COLLECTOR, split.validator_cut)
    if split.allora_cut:
        send_coins_from_module_to_module(ctx, store, ECOSYSTEM, ALLORA_REWARDS, split.allora_cut)
        bridge.set_reward_current_block_emission(store, split.allora_cut)
    ctx.events.emit_proto(
        mint_events.EventRewardCurrentBlockEmission(
            block_height=ctx.height, token_amount=str(split.allora_cut)
        )
    )


def process_mint_begin_block(
    ctx: Context, store: KVStore, bridge: EmissionsBridge
) -> BlockEmissionSplit:
    """The mint begin block (module docstring); returns the block's split.

    Raises
    ------
    MintHaltError
        Under ``reference_compat``, where the reference halts.
    """
    compat = bridge.is_reference_compat(store)
    if is_emission_recalculation_height(ctx.height, bridge.get_blocks_per_month(store)):
        try:
            recalculate_emission(ctx, store, bridge)
        except ConsensusError as exc:
            if compat:
                raise MintHaltError(f"emission recalculation failed: {exc}") from exc
    try:
        inputs = read_mint_inputs(store, bridge)
    except ConversionError as exc:
        raise MintHaltError(f"mint begin block failed (C23): {exc}") from exc
    try:
        split = compute_block_split(store, inputs, get_previous_block_emission(store))
    except SynthesisInputError as exc:
        raise MintHaltError(f"mint begin block failed: {exc}") from exc
    pay_block_emission(ctx, store, bridge, split)
    return split
