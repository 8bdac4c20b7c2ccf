namespace MetricPipeline.Alerting;

/// <summary>Delay before the next try after a transient failure.</summary>
public static class RetryBackoff
{
    /// <summary>
    /// Exponential backoff with "equal jitter": the ceiling is <c>c = min(cap, base · 2^(attempt−1))</c>
    /// and the delay is uniform in <c>[c/2, c]</c>, so retries of many alerts spread out but never
    /// come sooner than half the nominal delay. <paramref name="attempt"/> is 1 for the first failure.
    /// </summary>
    /// <param name="unit">A number in [0, 1) — <c>Random.Shared.NextDouble()</c> in production.</param>
    public static TimeSpan Delay(int attempt, TimeSpan baseDelay, TimeSpan cap, double unit)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var ceiling = Math.Min(cap.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + (0.5 * Math.Clamp(unit, 0, 1))));
    }
}
