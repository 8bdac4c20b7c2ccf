using MassTransit;
using MetricPipeline.Contracts;

namespace MetricPipeline.Rollup;

/// <summary>
/// Takes batches of <see cref="EventsAccepted"/> messages (each carrying many events) and rolls
/// them up in one transaction. MassTransit acknowledges the messages only after this returns,
/// i.e. after the commit; a failure leaves them to be redelivered. An event the database refuses is parked
/// (<see cref="EventParking"/>) instead of failing the batch.
/// </summary>
public sealed class EventsAcceptedConsumer(EventParking rollup) : IConsumer<Batch<EventsAccepted>>
{
    public async Task Consume(ConsumeContext<Batch<EventsAccepted>> context)
    {
        var events = new List<TelemetryEvent>(context.Message.Length * 1_000);
        foreach (var message in context.Message)
        {
            events.AddRange(message.Message.Events());
        }

        await rollup.ProcessAsync(events, context.CancellationToken);
    }
}
