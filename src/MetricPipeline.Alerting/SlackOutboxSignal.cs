namespace MetricPipeline.Alerting;

/// <summary>
/// Lets whoever opens alerts (the detector) wake the dispatcher instead of waiting for its next
/// poll. Wakes coalesce: many calls before the dispatcher looks amount to one round.
/// </summary>
public sealed class SlackOutboxSignal : IDisposable
{
    private readonly SemaphoreSlim signal = new(0, 1);

    public void Wake()
    {
        try
        {
            signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken and not yet consumed.
        }
    }

    /// <summary>Returns when woken or after <paramref name="timeout"/>.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => signal.WaitAsync(timeout, ct);

    public void Dispose() => signal.Dispose();
}
