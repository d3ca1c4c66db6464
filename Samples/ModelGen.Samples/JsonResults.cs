using System.Text.Json;

namespace ModelGen.Samples;

/// <summary>
/// Writes a sample's results as one JSON object. Uses <see cref="Utf8JsonWriter"/> directly, not the
/// serializer, so nothing depends on reflection and the samples stay NativeAOT-safe.
/// </summary>
internal static class JsonResults
{
    public static void Write(string path, Action<Utf8JsonWriter> writeProperties)
    {
        using var stream = File.Create(path);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writeProperties(writer);
        writer.WriteEndObject();
    }
}
