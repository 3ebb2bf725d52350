#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Student's t distribution through the regularised incomplete beta function (no statistics library needed).
///
/// `P(|T| > |t|) = I_x(ν/2, 1/2)` with `x = ν / (ν + t²)`; `I` is evaluated by the continued fraction of
/// Numerical Recipes (`betacf`, modified Lentz), which keeps full relative precision in the tails. Checked against
/// scipy's `stats.t` in `StudentTTests` (fixture `forecasting/student-t.json`).
public enum StudentT {
    /// `P(T ≤ t)` for `ν` degrees of freedom (`ν > 0`; NaN otherwise).
    public static func cdf(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        guard nu > 0, !t.isNaN else { return .nan }
        if t.isInfinite { return t > 0 ? 1 : 0 }
        let tail = self.twoSidedPValue(t, degreesOfFreedom: nu) / 2
        return t > 0 ? 1 - tail : tail
    }

    /// `P(|T| ≥ |t|)`: the two-sided p-value of a t statistic.
    public static func twoSidedPValue(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        guard nu > 0, !t.isNaN else { return .nan }
        if t.isInfinite { return 0 }
        if t == 0 { return 1 }
        let x = nu / (nu + t * t)
        return min(max(IncompleteBeta.regularized(x, a: nu / 2, b: 0.5), 0), 1)
    }
}

/// The regularised incomplete beta function `I_x(a, b)`.
public enum IncompleteBeta {
    /// `I_x(a, b)` for `0 ≤ x ≤ 1`, `a, b > 0` (NaN outside).
    public static func regularized(_ x: Double, a: Double, b: Double) -> Double {
        guard a > 0, b > 0, x >= 0, x <= 1, a.isFinite, b.isFinite else { return .nan }
        if x == 0 { return 0 }
        if x == 1 { return 1 }
        let logFront = self.logGamma(a + b) - self.logGamma(a) - self.logGamma(b) + a * log(x) + b * log1p(-x)
        let front = exp(logFront)
        // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
        if x < (a + 1) / (a + b + 2) {
            return front * self.continuedFraction(x, a: a, b: b) / a
        }
        return 1 - front * self.continuedFraction(1 - x, a: b, b: a) / b
    }

    /// `ln Γ(x)` for `x > 0` (re-entrant: `lgamma_r` does not write the global `signgam`).
    static func logGamma(_ x: Double) -> Double {
        var sign: Int32 = 0
        return lgamma_r(x, &sign)
    }

    /// Continued fraction of `I_x(a, b)` (Numerical Recipes `betacf`), modified Lentz; stops at relative change
    /// 1e-16 or after 100,000 terms (enough for ν up to ~10¹⁰).
    static func continuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        let epsilon = 1e-16
        let qab = a + b
        let qap = a + 1
        let qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...100_000 {
            let m = Double(m)
            let m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < epsilon { break }
        }
        return h
    }
}
