"""The statistics of the tables: how sure a figure is, and when two figures are told apart.

On a shared machine most of the spread is between pyperf's worker processes, not within
them, so the unit of evidence is a process: a figure's centre is the median of its
processes' means, and its interval is a 95 % confidence interval of the mean over
processes (Student's t). Two figures whose intervals overlap are not told apart.
"""

import math
import statistics

# Two-sided 95 % quantiles of Student's t, by degrees of freedom (1 to 30).
_T95 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
        2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
        2.060, 2.056, 2.052, 2.048, 2.045, 2.042)


def t95(df):
    """The two-sided 95 % quantile of Student's t with ``df`` degrees of freedom."""
    if df <= len(_T95):
        return _T95[df - 1]
    return 1.96 + 2.37 / df  # the first Cornish-Fisher term: within 0.2 % beyond 30


def stdev(values):
    """The sample standard deviation of ``values``; None with fewer than two."""
    return statistics.stdev(values) if len(values) > 1 else None


def interval(values):
    """The 95 % confidence interval (low, high) of the mean of ``values``, by Student's t;
    None with fewer than two values."""
    n = len(values)
    if n < 2:
        return None
    mean = statistics.fmean(values)
    half = t95(n - 1) * statistics.stdev(values) / math.sqrt(n)
    return mean - half, mean + half


def overlapping(ordered, interval_of):
    """The groups of ``ordered`` (cheapest first) that are not told apart: each a largest set
    whose 95 % intervals all share a value, so that every two members overlap (a chain
    a ≈ b ≈ c where a and c are apart is two groups, a ≈ b and b ≈ c). Items without an
    interval join no group. Returns lists of at least two items, each in ``ordered``'s
    order, the groups in the order of their first member."""
    order = {id(item): index for index, item in enumerate(ordered)}
    spans = [(interval_of(item), item) for item in ordered if interval_of(item)]
    # Sweep the ends from left to right: the open intervals always share a value, and a set
    # of them is a largest such set just before one closes after another has opened.
    events = sorted([(low, 0, i) for i, ((low, _), _) in enumerate(spans)]
                    + [(high, 1, i) for i, ((_, high), _) in enumerate(spans)])
    open_, groups, grown = set(), [], False
    for _, closing, index in events:
        if closing:
            if grown and len(open_) > 1:
                groups.append(sorted((spans[i][1] for i in open_), key=lambda x: order[id(x)]))
            open_.discard(index)
            grown = False
        else:
            open_.add(index)
            grown = True
    return sorted(groups, key=lambda group: order[id(group[0])])


def interval_of_fit(small, large):
    """The 95 % intervals of the fixed and the marginal cost from two run sizes, each an
    (n, (low, high)) pair of time per item: interval arithmetic on ``fixed_and_marginal``,
    so every end is what the two intervals' ends allow. None where either has no interval."""
    (n1, i1), (n2, i2) = small, large
    if i1 is None or i2 is None:
        return None
    (l1, h1), (l2, h2) = i1, i2
    span = n2 - n1
    marginal = ((n2 * l2 - n1 * h1) / span, (n2 * h2 - n1 * l1) / span)
    fixed = (n1 * n2 * (l1 - h2) / span, n1 * n2 * (h1 - l2) / span)
    return fixed, marginal


def fixed_and_marginal(small, large):
    """The fixed cost per run and the marginal cost per item from two run sizes.

    A run of n items takes about ``fixed + n * marginal``; what is measured is the time per
    item ``t(n) = fixed / n + marginal``, so two sizes, each an (n, t) pair, give both:
    (fixed in t's unit times items, marginal in t's unit).
    """
    (n1, t1), (n2, t2) = small, large
    marginal = (n2 * t2 - n1 * t1) / (n2 - n1)
    return n1 * (t1 - marginal), marginal


def slope(points):
    """The least-squares slope of y against x over ``points`` [(x, y), ...], and the half
    width of its 95 % confidence interval (Student's t, n - 2 degrees of freedom; None with
    fewer than three points); None for the slope without two distinct x."""
    n = len(points)
    if n < 2:
        return None, None
    mean_x = statistics.fmean(x for x, _ in points)
    mean_y = statistics.fmean(y for _, y in points)
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    if not sxx:
        return None, None
    b = sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx
    if n < 3:
        return b, None
    residual = sum((y - mean_y - b * (x - mean_x)) ** 2 for x, y in points)
    return b, t95(n - 2) * math.sqrt(residual / (n - 2) / sxx)
