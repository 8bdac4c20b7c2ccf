namespace MetricPipeline.LoadRun;

/// <summary>
/// CPU seconds from /proc: of a process tree (user + system of every live member, plus what its
/// exited children left in cutime/cstime), and of the whole machine (/proc/stat). A backend that
/// was alive at the first reading and exits before the second is counted twice for its earlier
/// part; over a run that is small. On a shared server the figures include other users' work.
/// </summary>
public static class CpuMeter
{
    private const double TicksPerSecond = 100.0; // USER_HZ, 100 on Linux

    /// <summary>CPU seconds used so far by the process <paramref name="root"/> and its descendants; 0 when unreadable.</summary>
    public static double TreeSeconds(int root)
    {
        var stats = ReadAll();
        var children = stats.Values.ToLookup(s => s.Parent);
        var total = 0.0;
        var pending = new Stack<int>([root]);
        while (pending.Count > 0)
        {
            var pid = pending.Pop();
            if (!stats.TryGetValue(pid, out var s))
            {
                continue;
            }

            total += s.Ticks / TicksPerSecond;
            foreach (var child in children[pid])
            {
                pending.Push(child.Pid);
            }
        }

        return total;
    }

    /// <summary>CPU seconds (user + system) each of <paramref name="pids"/> has used so far; a pid that is gone is left out.</summary>
    public static Dictionary<int, double> OwnSeconds(IEnumerable<int> pids)
    {
        var result = new Dictionary<int, double>();
        foreach (var pid in pids)
        {
            try
            {
                var text = File.ReadAllText($"/proc/{pid}/stat");
                var rest = text[(text.LastIndexOf(')') + 2)..].Split(' ');
                result[pid] = (long.Parse(rest[11]) + long.Parse(rest[12])) / TicksPerSecond;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException)
            {
                // The process ended.
            }
        }

        return result;
    }

    /// <summary>The oldest process whose command name is <paramref name="comm"/> and whose parent is not (the server's root process).</summary>
    public static int? FindRoot(string comm)
    {
        var stats = ReadAll();
        return stats.Values
            .Where(s => s.Comm == comm && !(stats.TryGetValue(s.Parent, out var p) && p.Comm == comm))
            .OrderBy(s => s.Pid)
            .Select(s => (int?)s.Pid)
            .FirstOrDefault();
    }

    /// <summary>Busy CPU seconds of the whole machine so far (all cores; everything but idle and iowait).</summary>
    public static double MachineBusySeconds()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var values = fields.Skip(1).Select(long.Parse).ToArray();
            var busy = values.Sum() - values[3] - values[4];
            return busy / TicksPerSecond;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static Dictionary<int, ProcStat> ReadAll()
    {
        var result = new Dictionary<int, ProcStat>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var text = File.ReadAllText(Path.Combine(dir, "stat"));

                // "pid (comm) state ppid ... utime stime cutime cstime": comm may hold spaces, so cut at the last ')'.
                var open = text.IndexOf('(', StringComparison.Ordinal);
                var close = text.LastIndexOf(')');
                var comm = text[(open + 1)..close];
                var rest = text[(close + 2)..].Split(' ');
                var parent = int.Parse(rest[1]);
                var ticks = long.Parse(rest[11]) + long.Parse(rest[12]) + long.Parse(rest[13]) + long.Parse(rest[14]);
                result[pid] = new ProcStat(pid, parent, comm, ticks);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException)
            {
                // The process ended while we read it.
            }
        }

        return result;
    }

    private sealed record ProcStat(int Pid, int Parent, string Comm, long Ticks);
}
