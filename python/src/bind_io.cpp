// Bindings of the core's readers (akili/io): CSV into NumPy arrays (whole files,
// or rows in batches with bounded memory) and IDX value conversion. Parsing runs
// with the GIL released; whole-file reads poll for Ctrl-C between chunks.
#include "bindings.hpp"

#include "akili/io/csv.hpp"
#include "akili/io/idx.hpp"
#include "akili/threads.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <string>

namespace py = pybind11;

namespace akili::python {
namespace {

py::object csv_error_type;

io::ValueScaling value_scaling(const std::string& scaling, double max_value) {
  io::ValueScaling result;
  result.max_value = max_value;
  if (scaling == "book") {
    result.kind = io::InputScaling::book;
  } else if (scaling == "unit") {
    result.kind = io::InputScaling::unit;
  } else if (scaling != "none") {
    throw py::value_error("scaling must be 'none', 'book' or 'unit', got '" + scaling + "'");
  }
  if (!(max_value > 0)) throw py::value_error("max_value must be positive");
  return result;
}

io::CsvFormat csv_format(std::int64_t label_column, const std::string& delimiter, const std::string& scaling,
                         double max_value) {
  if (delimiter.size() != 1) throw py::value_error("the delimiter must be a single ASCII character");
  io::CsvFormat format;
  format.delimiter = delimiter[0];
  format.label_column = label_column;
  format.scaling = value_scaling(scaling, max_value);
  return format;
}

const char* kind_name(io::CsvProblemKind kind) {
  switch (kind) {
    case io::CsvProblemKind::cannot_open:
      return "cannot_open";
    case io::CsvProblemKind::empty_file:
      return "empty_file";
    case io::CsvProblemKind::header_without_data:
      return "header_without_data";
    case io::CsvProblemKind::too_few_columns:
      return "too_few_columns";
    case io::CsvProblemKind::label_column_out_of_range:
      return "label_column_out_of_range";
    case io::CsvProblemKind::ragged_row:
      return "ragged_row";
    case io::CsvProblemKind::non_numeric:
      return "non_numeric";
    case io::CsvProblemKind::non_finite:
      return "non_finite";
    case io::CsvProblemKind::label_not_integer:
      return "label_not_integer";
    case io::CsvProblemKind::label_out_of_range:
      return "label_out_of_range";
    case io::CsvProblemKind::not_utf8:
      return "not_utf8";
  }
  return "unknown";
}

/// Raises akili._core.CsvError(message, details): the details carry the problem's
/// kind and position, from which akili.datasets words its own message.
[[noreturn]] void raise_csv_error(const io::CsvError& error) {
  const io::CsvProblem& p = error.problem();
  py::dict details;
  details["kind"] = kind_name(p.kind);
  details["line"] = p.line;
  details["column"] = p.column;
  details["values"] = p.values;
  details["expected"] = p.expected;
  details["expected_line"] = p.expected_line;
  details["text"] = py::bytes(p.text);
  details["value"] = p.value;
  details["byte_offset"] = p.byte_offset;
  details["structural"] = p.structural;
  PyErr_SetObject(csv_error_type.ptr(), py::make_tuple(error.what(), details).ptr());
  throw py::error_already_set();
}

/// An array owning the core's buffer (freed with the array), shape `shape`.
template <typename T>
py::array_t<T> owning_array(std::unique_ptr<T[]> buffer, std::vector<py::ssize_t> shape) {
  T* data = buffer.release();
  py::capsule owner(data, [](void* pointer) { delete[] static_cast<T*>(pointer); });
  return py::array_t<T>(shape, data, owner);
}

template <typename T>
py::tuple read_csv_as(const std::string& path, const io::CsvFormat& format) {
  const io::ReadStopHook poll_signals = []() {
    py::gil_scoped_acquire acquire;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    return false;
  };
  io::CsvData<T> data;
  try {
    py::gil_scoped_release release;
    data = io::read_csv_file<T>(path, format, num_threads(), poll_signals);
  } catch (const io::CsvError& error) {
    raise_csv_error(error);
  }
  const auto rows = static_cast<py::ssize_t>(data.rows);
  auto features = owning_array<T>(std::move(data.features), {rows, static_cast<py::ssize_t>(data.feature_columns)});
  auto labels = owning_array<std::int64_t>(std::move(data.labels), {rows});
  return py::make_tuple(features, labels);
}

py::dict layout_dict(const io::CsvLayout& layout) {
  py::dict result;
  result["columns"] = layout.columns;
  result["label_column"] = layout.label_column;
  result["first_line"] = layout.first_line;
  result["has_header"] = layout.has_header;
  result["data_offset"] = layout.data_offset;
  result["data_first_line"] = layout.data_first_line;
  return result;
}

/// Rows of a CSV file in batches, for akili.datasets.iter_csv and the Dask blocks.
class CsvRows {
 public:
  CsvRows(const std::string& path, const io::CsvFormat& format, py::object range) {
    try {
      if (range.is_none()) {
        reader_ = std::make_unique<io::CsvRowReader>(path, format);
      } else {
        const auto [begin, end, first_line] = range.cast<std::tuple<std::uint64_t, std::uint64_t, std::size_t>>();
        const io::CsvLayout layout = io::csv_layout(path, format);
        reader_ = std::make_unique<io::CsvRowReader>(path, format, layout, begin, end, first_line);
      }
    } catch (const io::CsvError& error) {
      raise_csv_error(error);
    }
  }

  std::size_t feature_columns() const { return reader_->feature_columns(); }

  template <typename T>
  std::size_t read(py::array_t<T, py::array::c_style> features, py::array_t<std::int64_t, py::array::c_style> labels) {
    if (features.ndim() != 2 || static_cast<std::size_t>(features.shape(1)) != feature_columns() ||
        labels.ndim() != 1 || labels.shape(0) < features.shape(0)) {
      throw py::value_error("CsvRows.read: expected features (rows, " + std::to_string(feature_columns()) +
                            ") and labels (rows,)");
    }
    T* out = features.mutable_data();
    std::int64_t* out_labels = labels.mutable_data();
    const auto rows = static_cast<std::size_t>(features.shape(0));
    try {
      py::gil_scoped_release release;
      return reader_->read(out, out_labels, rows);
    } catch (const io::CsvError& error) {
      raise_csv_error(error);
    }
  }

 private:
  std::unique_ptr<io::CsvRowReader> reader_;
};

template <typename T>
void decode_idx_into(std::uint8_t type_code, const py::buffer& source, py::array_t<T, py::array::c_style> out,
                     std::size_t offset, const std::string& scaling, double max_value) {
  const io::ValueScaling value_scale = value_scaling(scaling, max_value);
  const py::buffer_info info = source.request();
  const std::size_t value_bytes = io::idx_value_bytes(type_code);
  if (value_bytes == 0) throw py::value_error("decode_idx: unknown IDX type code");
  const std::size_t bytes = static_cast<std::size_t>(info.size * info.itemsize);
  const std::size_t count = bytes / value_bytes;
  if (bytes % value_bytes != 0 || offset > static_cast<std::size_t>(out.size()) ||
      count > static_cast<std::size_t>(out.size()) - offset) {
    throw py::value_error("decode_idx: the chunk does not fit the output array");
  }
  const auto* data = static_cast<const std::uint8_t*>(info.ptr);
  T* target = out.mutable_data() + offset;
  py::gil_scoped_release release;
  io::decode_idx_values<T>(type_code, data, count, target, value_scale);
}

}  // namespace

void bind_io(py::module_& module) {
  csv_error_type = py::reinterpret_borrow<py::object>(PyErr_NewExceptionWithDoc(
      "akili._core.CsvError", "A CSV file the native reader refuses; args = (message, details dict).", PyExc_ValueError,
      nullptr));
  module.attr("CsvError") = csv_error_type;
  module.def(
      "read_csv",
      [](const std::string& path, std::int64_t label_column, const std::string& delimiter, const std::string& dtype,
         const std::string& scaling, double max_value) -> py::tuple {
        const io::CsvFormat format = csv_format(label_column, delimiter, scaling, max_value);
        if (dtype == "float32") return read_csv_as<float>(path, format);
        if (dtype == "float64") return read_csv_as<double>(path, format);
        throw py::value_error("dtype must be 'float32' or 'float64'");
      },
      py::arg("path"), py::arg("label_column"), py::arg("delimiter"), py::arg("dtype"), py::arg("scaling"),
      py::arg("max_value"), "Reads a whole numeric CSV file: (features (n, columns-1) of dtype, int64 labels (n,)).");
  module.def(
      "csv_blocks",
      [](const std::string& path, std::int64_t label_column, const std::string& delimiter, std::uint64_t block_bytes) {
        io::CsvLayout layout;
        std::vector<io::CsvBlock> blocks;
        try {
          py::gil_scoped_release release;
          blocks = io::scan_csv_blocks(path, csv_format(label_column, delimiter, "none", 1.0), block_bytes, layout);
        } catch (const io::CsvError& error) {
          raise_csv_error(error);
        }
        py::list result;
        for (const io::CsvBlock& block : blocks)
          result.append(py::make_tuple(block.begin, block.end, block.first_line, block.rows));
        return py::make_tuple(layout_dict(layout), result);
      },
      py::arg("path"), py::arg("label_column"), py::arg("delimiter"), py::arg("block_bytes"),
      "The file's layout and its data rows cut into blocks: [(begin, end, first_line, rows), ...].");
  py::class_<CsvRows>(module, "CsvRows")
      .def(py::init([](const std::string& path, std::int64_t label_column, const std::string& delimiter,
                       const std::string& scaling, double max_value, py::object range) {
             return std::make_unique<CsvRows>(path, csv_format(label_column, delimiter, scaling, max_value), range);
           }),
           py::arg("path"), py::arg("label_column"), py::arg("delimiter"), py::arg("scaling"), py::arg("max_value"),
           py::arg("range") = py::none())
      .def_property_readonly("feature_columns", &CsvRows::feature_columns)
      .def("read", &CsvRows::read<float>, py::arg("features"), py::arg("labels"))
      .def("read", &CsvRows::read<double>, py::arg("features"), py::arg("labels"),
           "Fills up to len(features) rows; returns how many (0 at the end).");
  module.def("decode_idx", &decode_idx_into<float>, py::arg("type_code"), py::arg("chunk"), py::arg("out"),
             py::arg("offset"), py::arg("scaling"), py::arg("max_value"));
  module.def("decode_idx", &decode_idx_into<double>, py::arg("type_code"), py::arg("chunk"), py::arg("out"),
             py::arg("offset"), py::arg("scaling"), py::arg("max_value"),
             "Converts a chunk of big-endian IDX values into out.flat[offset:], scaled.");
}

}  // namespace akili::python
