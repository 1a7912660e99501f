"""The fit's least-squares line and t quantiles avoid importing scipy.stats (≈ 1 s per process) and stay
bit-identical to scipy.stats.linregress / scipy.stats.t, which this test imports to compare."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy import special, stats

from impl.measurement.fit import least_squares_line

finite = st.floats(-50, 50, allow_nan=False)


@given(st.integers(2, 9).flatmap(lambda n: st.tuples(st.lists(finite, min_size=n, max_size=n),
                                                     st.lists(finite, min_size=n, max_size=n))))
def test_least_squares_line_is_linregress_bit_for_bit(xy: tuple[list[float], list[float]]) -> None:
    x, y = np.array(xy[0]), np.array(xy[1])
    if np.ptp(x) == 0:
        return  # a vertical line: linregress divides by zero too
    ref = stats.linregress(x, y)
    got = least_squares_line(x, y)
    assert np.array_equal(np.array(got), np.array([ref.slope, ref.intercept, ref.stderr]), equal_nan=True), (got, ref)


@given(st.integers(1, 600), st.floats(0.5, 0.999999))
def test_t_quantile_and_cdf_are_scipy_stats(df: int, q: float) -> None:
    assert special.stdtrit(df, q) == stats.t.ppf(q, df)
    x = float(stats.t.ppf(q, df, loc=0.3, scale=0.02))
    assert special.stdtr(df, (x - 0.3) / 0.02) == stats.t.cdf(x, df, loc=0.3, scale=0.02)
