using System.Runtime.CompilerServices;
using System.Text;

namespace ModelGen.Tests.Infrastructure;

/// <summary>
/// Snapshot testing with Verify's file names: compares text with <c>Snapshots/&lt;Class&gt;.&lt;Test&gt;.verified.cs</c>;
/// on a mismatch writes <c>.received.cs</c> beside it and fails with a unified diff.
/// <c>MODELGEN_ACCEPT=1 dotnet test</c> accepts the received text instead.
/// </summary>
internal static class Snapshot
{
    public static void Verify(string actual, string className, [CallerMemberName] string test = "", [CallerFilePath] string callerPath = "")
    {
        var folder = Path.Combine(ProjectDirectory(callerPath), "Snapshots");
        var verified = Path.Combine(folder, $"{className}.{test}.verified.cs");
        var received = Path.Combine(folder, $"{className}.{test}.received.cs");
        var expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }

        if (Environment.GetEnvironmentVariable("MODELGEN_ACCEPT") == "1")
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return;
        }

        Directory.CreateDirectory(folder);
        File.WriteAllText(received, actual);
        Assert.Fail(expected is null
            ? $"No snapshot {verified}. Review {received} and run with MODELGEN_ACCEPT=1 to accept it."
            : $"Snapshot mismatch for {verified}:\n{UnifiedDiff.Create(expected, actual)}\nRun with MODELGEN_ACCEPT=1 to accept.");
    }

    private static string ProjectDirectory(string callerPath)
    {
        var directory = Path.GetDirectoryName(callerPath);
        while (directory is not null && !Directory.EnumerateFiles(directory, "*.csproj").Any())
        {
            directory = Path.GetDirectoryName(directory);
        }

        return directory ?? throw new InvalidOperationException("Test project folder not found from " + callerPath);
    }
}

/// <summary>A minimal line diff (longest common subsequence) in unified format, for snapshot failures.</summary>
internal static class UnifiedDiff
{
    public static string Create(string expected, string actual, int context = 2)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var lines = new List<(char Kind, string Text)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                lines.Add((' ', a[x++]));
                y++;
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y]))
            {
                lines.Add(('+', b[y++]));
            }
            else
            {
                lines.Add(('-', a[x++]));
            }
        }

        var text = new StringBuilder("--- verified\n+++ received\n");
        for (var i = 0; i < lines.Count; i++)
        {
            var near = Enumerable.Range(Math.Max(0, i - context), (2 * context) + 1)
                .Any(k => k < lines.Count && lines[k].Kind != ' ');
            if (near)
            {
                text.Append(lines[i].Kind).Append(lines[i].Text).Append('\n');
            }
        }

        return text.ToString();
    }
}
