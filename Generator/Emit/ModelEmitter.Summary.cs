using System.Globalization;
using System.Text;
using ModelGen.Generator.Model;
using ModelGen.Generator.Planning;

namespace ModelGen.Generator.Emit
{
    internal static partial class ModelEmitter
    {
        /// <summary>A Keras-style summary table, computed at build time and emitted as a constant.</summary>
        private static void EmitSummary(CodeWriter writer, ModelSpec model, MemoryPlan plan)
        {
            var rule = new string('_', 64);
            var lines = new StringBuilder();
            lines.Append("Model: \"").Append(model.ClassName).Append("\"\n");
            lines.Append(rule).Append('\n');
            lines.Append(Row("Layer (type)", "Output Shape", "Param #"));
            lines.Append(new string('=', 64)).Append('\n');
            lines.Append(Row("input (Input)", model.InputShape.ToBatchString(), "0"));
            foreach (var layer in model.Layers)
            {
                lines.Append(Row(layer.Name + " (" + layer.TypeName + ")", layer.OutputShape.ToBatchString(), Count(layer.ParameterCount + layer.StateCount)));
            }

            lines.Append(new string('=', 64)).Append('\n');
            lines.Append("Total params: ").Append(Count(plan.ParameterCount + plan.StateLength)).Append('\n');
            lines.Append("Trainable params: ").Append(Count(plan.ParameterCount)).Append('\n');
            lines.Append("Non-trainable params: ").Append(Count(plan.StateLength)).Append('\n');
            lines.Append(rule);

            writer.Line("/// <summary>A Keras-style table of the layers, their output shapes and parameter counts.</summary>");
            writer.Line("public string Summary() => SummaryText;");
            writer.Line();
            writer.Line("private const string SummaryText =");
            var text = lines.ToString().Split('\n');
            for (var i = 0; i < text.Length; i++)
            {
                var last = i == text.Length - 1;
                writer.Line("    \"" + text[i].Replace("\"", "\\\"") + (last ? "\";" : "\\n\" +"));
            }
        }

        private static string Row(string layer, string shape, string parameters) =>
            layer.PadRight(29) + shape.PadRight(25) + parameters + "\n";

        private static string Count(int value) => value.ToString("N0", CultureInfo.InvariantCulture);
    }
}
