using MassTransit;
using Microsoft.Extensions.Options;

namespace MetricPipeline.Rollup;

/// <summary>Queue "rollup" (a quorum queue on RabbitMQ), batch limits, and retry before dead-lettering.</summary>
public sealed class EventsAcceptedConsumerDefinition : ConsumerDefinition<EventsAcceptedConsumer>
{
    private readonly RollupOptions options;

    public EventsAcceptedConsumerDefinition(IOptions<RollupOptions> options)
    {
        this.options = options.Value;
        EndpointName = "rollup";
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<EventsAcceptedConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.SetQuorumQueue();
            rabbit.PrefetchCount = options.BatchMessageLimit * options.ConcurrentBatches * 2;
        }

        endpointConfigurator.UseMessageRetry(r => r.Intervals(200, 1000, 5000, 15000));
        consumerConfigurator.Options<BatchOptions>(b => b
            .SetMessageLimit(options.BatchMessageLimit)
            .SetTimeLimit(options.BatchTimeLimit)
            .SetConcurrencyLimit(options.ConcurrentBatches));
    }
}
