using System.Text;

namespace ModelGen.Generator.Emit
{
    /// <summary>Writes indented C# with '\n' line endings, so output is byte-identical on every platform.</summary>
    internal sealed class CodeWriter
    {
        private readonly StringBuilder _text = new();
        private int _indent;

        public CodeWriter Line(string line = "")
        {
            if (line.Length > 0)
            {
                _text.Append(' ', _indent * 4);
                _text.Append(line);
            }

            _text.Append('\n');
            return this;
        }

        public CodeWriter Open(string line)
        {
            Line(line);
            Line("{");
            _indent++;
            return this;
        }

        public CodeWriter Open()
        {
            Line("{");
            _indent++;
            return this;
        }

        public CodeWriter Close(string closing = "}")
        {
            _indent--;
            Line(closing);
            return this;
        }

        public override string ToString() => _text.ToString();
    }
}
