"""dynaquery: a model of a cold first page (README, Performance).

Page 1, cold: how often can ANY round-2 sizing meet both targets (<= 2 round
trips and items read <= 1.3 x lower bound)?  One stream of items in key order,
each matching the filter with probability s, independently. Round 1 reads n1
items (the engine's cold first round: 104 at fan-out 2). The page needs P rows;
the lower bound is the position of the P-th match plus one look-ahead item.
Round 2 reads n2 items, chosen from m1 (round 1's matches) by
  - an oracle that knows s, or
  - a Bayes rule: s unknown, uniform prior, posterior from (m1, n1).
Both pick n2 to maximise the chance that the page ends within round 2 AND reads
<= 1.3 x bound. We report that best chance, under the true s."""
import math

def negbin_cdf(r, s, kmax):
    """cdf[k] = P(R <= k), R = trials to the r-th success, k = 0..kmax."""
    cdf = [0.0] * (kmax + 1)
    if r <= 0:
        return [1.0] * (kmax + 1)
    acc = 0.0
    ls, l1 = math.log(s), math.log1p(-s)
    for k in range(r, kmax + 1):
        lp = math.lgamma(k) - math.lgamma(r) - math.lgamma(k - r + 1) + r * ls + (k - r) * l1
        acc += math.exp(lp)
        cdf[k] = acc
    return cdf

def binom_pmf(n, k, s):
    return math.exp(math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * math.log(s) + (n - k) * math.log1p(-s))

def p_both(cdf, n1, n2, kmax, cap=1.3):
    # R = items past round 1 to the last row needed. Need R <= n2 (2 trips) and
    # n1 + n2 <= cap * (n1 + R + 1)  <=>  R >= (n1 + n2) / cap - n1 - 1.
    lo = math.ceil((n1 + n2) / cap - n1 - 1)
    hi = min(n2, kmax)
    if hi < max(lo, 0):
        return 0.0
    below = cdf[lo - 1] if lo >= 1 else 0.0
    return cdf[hi] - below

def run(s_true, n1, page, cap=1.3):
    kmax = int(6 * page / s_true) + 200
    grid = [0.005 * i for i in range(1, 200)]  # posterior support for s
    m_hi = min(n1, page)
    cache = {}
    def cdf(r, s):
        key = (r, s)
        if key not in cache:
            cache[key] = negbin_cdf(r, s, kmax)
        return cache[key]
    oracle = bayes = 0.0
    for m1 in range(0, n1 + 1):
        pm = binom_pmf(n1, m1, s_true)
        if pm < 1e-6:
            continue
        r = page - m1
        if r <= 0:
            continue  # the page ends in round 1: counted below
        true_cdf = cdf(r, s_true)
        cands = range(r, kmax - 1, max(1, r // 10))
        best_o = max(p_both(true_cdf, n1, n2, kmax, cap) for n2 in cands)
        # Bayes: posterior over the grid, pick n2 by posterior-expected success.
        w = [math.exp(m1 * math.log(g) + (n1 - m1) * math.log1p(-g)) for g in grid]
        tot = sum(w)
        post = [(g, x / tot) for g, x in zip(grid, w) if x / tot > 1e-3]
        best_n2, best_v = None, -1
        for n2 in cands:
            v = sum(pw * p_both(cdf(r, g), n1, n2, kmax, cap) for g, pw in post)
            if v > best_v:
                best_v, best_n2 = v, n2
        oracle += pm * best_o
        bayes += pm * p_both(true_cdf, n1, best_n2, kmax, cap)
    # Round 1 found the whole page: within the cap when the P-th match lies
    # at or past n1 / cap - 1.
    full = cdf(page, s_true)
    lo = math.ceil(n1 / cap - 1)
    one_trip = full[min(n1, kmax)] - (full[lo - 1] if lo >= 1 else 0.0)
    return oracle + one_trip, bayes + one_trip

if __name__ == "__main__":
    for s, n1 in [(0.10, 104), (0.50, 104), (0.01, 104)]:
        o, b = run(s, n1, 50)
        print(f"s={s:.2f} n1={n1}: best chance of <=2 trips and <=1.3x: oracle {o:.2f}, Bayes (s unknown) {b:.2f}")
