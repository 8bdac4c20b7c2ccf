using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MetricPipeline.IntegrationTests.Infrastructure;

/// <summary>
/// A RabbitMQ node of the test's own, started from Debian's <c>rabbitmq-server</c> with its own node name, ports and
/// data folder under a temporary directory, so a test can stop and start it without touching the shared broker.
/// Run as root, it runs as the <c>rabbitmq</c> user (whose home holds the Erlang cookie), like deploy/local-services.sh.
/// </summary>
public sealed class PrivateRabbitMq : IAsyncDisposable
{
    private const string ServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private readonly string home;
    private readonly string envFile;
    private Process? process;

    private PrivateRabbitMq(string home, int port)
    {
        this.home = home;
        Port = port;
        envFile = Path.Combine(home, "rabbitmq-env.conf");
    }

    public int Port { get; }

    /// <summary>The default vhost as guest (allowed on loopback).</summary>
    public Uri AmqpUri => new($"amqp://guest:guest@127.0.0.1:{Port}/");

    public static bool IsInstalled => File.Exists(ServerScript);

    public static async Task<PrivateRabbitMq> StartAsync()
    {
        var home = Path.Combine(Path.GetTempPath(), "mp-rabbitmq-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path.Combine(home, "mnesia"));
        Directory.CreateDirectory(Path.Combine(home, "log"));
        var port = FreePort();
        var node = new PrivateRabbitMq(home, port);
        await File.WriteAllTextAsync(Path.Combine(home, "rabbitmq.conf"), $"""
            listeners.tcp.default = 127.0.0.1:{port}
            loopback_users.guest = true
            log.file.level = warning
            """);
        await File.WriteAllTextAsync(Path.Combine(home, "enabled_plugins"), "[].\n");
        await File.WriteAllTextAsync(node.envFile, $"""
            NODENAME=mp-test-{port}@localhost
            NODE_IP_ADDRESS=127.0.0.1
            NODE_PORT={port}
            DIST_PORT={FreePort()}
            CONFIG_FILE={home}/rabbitmq.conf
            ENABLED_PLUGINS_FILE={home}/enabled_plugins
            MNESIA_BASE={home}/mnesia
            LOG_BASE={home}/log
            PID_FILE={home}/beam.pid
            SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {"{"}127,0,0,1{"}"}"
            """);
        if (RunsAsRoot)
        {
            await RunAsync("chown", "-R", "rabbitmq:rabbitmq", home);
        }

        await node.StartAgainAsync();
        return node;
    }

    /// <summary>Starts the node (again) on the same port and data folder; returns once it accepts AMQP connections.</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo(RunsAsRoot ? "setpriv" : ServerScript)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (RunsAsRoot)
        {
            foreach (var arg in new[] { "--reuid=rabbitmq", "--regid=rabbitmq", "--init-groups", "--", ServerScript })
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment["HOME"] = "/var/lib/rabbitmq";
        }

        start.Environment["RABBITMQ_CONF_ENV_FILE"] = envFile;
        start.Environment["ERL_EPMD_ADDRESS"] = "127.0.0.1";
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the private RabbitMQ node exited with {process.ExitCode}; see {home}/log");
            }

            if (await AcceptsAmqpAsync())
            {
                return;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"the private RabbitMQ node did not listen on {Port} within 90 s; see {home}/log");
    }

    /// <summary>Stops the node at once (its own process tree only), as a crash or an outage would.</summary>
    public void Stop()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process?.Dispose();
        process = null;
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        try
        {
            Directory.Delete(home, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return ValueTask.CompletedTask;
    }

    private static bool RunsAsRoot => Environment.UserName == "root";

    /// <summary>The AMQP listener answers the protocol header (it opens only once the node has booted).</summary>
    private async Task<bool> AcceptsAmqpAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("AMQP\0\0\u0009\u0001"u8.ToArray());
            var buffer = new byte[8];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            return await stream.ReadAsync(buffer, timeout.Token) > 0 && buffer[0] == 1;
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var p = Process.Start(start)!;
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {p.ExitCode}");
        }
    }
}
