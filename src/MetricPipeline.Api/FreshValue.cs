namespace MetricPipeline.Api;

/// <summary>
/// A value re-read at most once per freshness period, however many requests ask for it: within the period the last
/// value is returned at once; after it, the first caller starts a refresh (given the previous value, so it can keep
/// what did not change) and every caller until it finishes awaits that same refresh. A failed refresh fails the
/// callers that awaited it and leaves the next caller to try again.
/// </summary>
public sealed class FreshValue<T>
    where T : class
{
    private readonly Lock gate = new();
    private T? last;
    private long readAt;
    private bool stale;
    private Task<T>? pending;

    /// <summary>When it was last used (<see cref="TimeProvider.GetTimestamp"/>), for eviction.</summary>
    public long LastUsed { get; private set; }

    public ValueTask<T> GetAsync(TimeProvider clock, TimeSpan freshFor, Func<T?, Task<T>> refresh)
    {
        Task<T> task;
        lock (gate)
        {
            var now = clock.GetTimestamp();
            LastUsed = now;
            if (last is not null && !stale && clock.GetElapsedTime(readAt, now) < freshFor)
            {
                return ValueTask.FromResult(last);
            }

            task = pending ??= RefreshAsync(clock, last, refresh);
        }

        return new ValueTask<T>(task);
    }

    /// <summary>Forgets the value: the next caller reads it again.</summary>
    public void Invalidate()
    {
        lock (gate)
        {
            stale = true;
        }
    }

    private async Task<T> RefreshAsync(TimeProvider clock, T? previous, Func<T?, Task<T>> refresh)
    {
        // Yield first so the refresh never runs under the caller's lock.
        await Task.Yield();
        var started = clock.GetTimestamp();
        try
        {
            var value = await refresh(previous);
            lock (gate)
            {
                (last, readAt, pending, stale) = (value, started, null, false);
            }

            return value;
        }
        catch
        {
            lock (gate)
            {
                pending = null;
            }

            throw;
        }
    }
}
