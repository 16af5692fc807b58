"""Overview: one headline figure per RE-AIM dimension, against target and the previous period,
and the three largest shortfalls against target."""

import pandas as pd
import streamlit as st

from ui import context, overview_data, program

ctx = context.current()
targets = context.targets(ctx)
elements = ctx.runner.run("protocol_elements").frame
roles = ctx.runner.run("roles").frame.set_index("role")["label"].to_dict()
modules = ctx.runner.run("modules").frame.set_index("module_id")["title"].to_dict()

st.title("Program overview")
n_hospitals, now = overview_data.headline(ctx, ctx.filters)
before_f, before_label = overview_data.previous(ctx)
before = overview_data.headline(ctx, before_f)[1] if before_f else {}
period = context.period_of(ctx)
st.caption(
    f"{period.label}, your hospitals ({n_hospitals} in view). Each figure against "
    "the program's target for the period and against "
    + (before_label if before_f else "nothing earlier (no previous period)")
    + "; the adoption index against the previous survey wave. Survey answers and refresher "
    "currency are as of the period's end."
)

cols = st.columns(len(now))
for col, fig in zip(cols, now.values(), strict=True):
    with col.container(border=True):
        prev = before.get(fig.metric)
        was, label = (prev.value, before_label) if prev else (float("nan"), "")
        if pd.notna(fig.prior):
            was, label = fig.prior, fig.prior_label
        delta = f"{fig.value - was:+.1f} pp" if pd.notna(was) and pd.notna(fig.value) else None
        st.metric(fig.label, program.headline(fig), delta=delta, help=fig.dimension)
        st.caption(program.headline_note(fig, targets.get(fig.metric), was, label))

st.subheader("The three largest gaps against target")
gaps = overview_data.gaps(ctx)
if gaps.empty:
    st.success("No role, protocol element or module falls short of its target.")
else:
    names = elements.set_index("element_id")["name"].to_dict()
    for i, g in enumerate(gaps.itertuples(), start=1):
        st.markdown(program.gap_line(i, g, roles, names, modules))
st.caption(
    "Shortfall in percentage points: a role's coverage against the coverage target, the share "
    "of your hospitals with a protocol element in place (latest survey wave) against the "
    "adoption target, the share of your hospitals with a completion of a module against the "
    "hospitals target. The Knowledge page has each module's gain with its test."
)
