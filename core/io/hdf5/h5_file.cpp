// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/io/hdf5/h5_file.h"

#include "core/io/error_text.h"
#include "core/util/error.h"

#include <hdf5.h>

#include <algorithm>
#include <type_traits>

namespace glvq::io::h5 {

namespace {

static_assert(std::is_same_v<hid_t, std::int64_t>, "HDF5 >= 1.10 uses 64-bit hid_t");

// Closes an HDF5 identifier with the matching function when it goes out of scope.
class Id {
public:
    Id(hid_t id, herr_t (*closer)(hid_t))
        : m_id(id)
        , m_closer(closer)
    {
    }
    ~Id()
    {
        if (m_id >= 0)
            m_closer(m_id);
    }
    Id(const Id&) = delete;
    Id& operator=(const Id&) = delete;
    hid_t get() const { return m_id; }
    bool ok() const { return m_id >= 0; }

private:
    hid_t m_id;
    herr_t (*m_closer)(hid_t);
};

template <typename T> struct TypeOf;
template <> struct TypeOf<std::uint8_t> { static hid_t mem() { return H5T_NATIVE_UINT8; } static hid_t file() { return H5T_STD_U8LE; } };
template <> struct TypeOf<std::uint16_t> { static hid_t mem() { return H5T_NATIVE_UINT16; } static hid_t file() { return H5T_STD_U16LE; } };
template <> struct TypeOf<std::uint32_t> { static hid_t mem() { return H5T_NATIVE_UINT32; } static hid_t file() { return H5T_STD_U32LE; } };
template <> struct TypeOf<std::uint64_t> { static hid_t mem() { return H5T_NATIVE_UINT64; } static hid_t file() { return H5T_STD_U64LE; } };
template <> struct TypeOf<std::int16_t> { static hid_t mem() { return H5T_NATIVE_INT16; } static hid_t file() { return H5T_STD_I16LE; } };
template <> struct TypeOf<std::int32_t> { static hid_t mem() { return H5T_NATIVE_INT32; } static hid_t file() { return H5T_STD_I32LE; } };
template <> struct TypeOf<float> { static hid_t mem() { return H5T_NATIVE_FLOAT; } static hid_t file() { return H5T_IEEE_F32LE; } };
template <> struct TypeOf<double> { static hid_t mem() { return H5T_NATIVE_DOUBLE; } static hid_t file() { return H5T_IEEE_F64LE; } };

std::string shapeText(const std::vector<std::uint64_t>& shape)
{
    std::string text = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + "]";
}

} // namespace

File::File(const std::filesystem::path& path, Mode mode)
    : m_path(path)
{
    // HDF5 prints its error stack to stderr by default; every failure is reported as glvq::Error instead.
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    if (mode == Mode::Create) {
        m_id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        if (m_id < 0) {
            H5Eclear2(H5E_DEFAULT); // no destructor runs for a failed constructor (see ~File)
            throw Error(path.string() + ": cannot create HDF5 file");
        }
    } else {
        if (!std::filesystem::is_regular_file(path))
            throw Error(path.string() + ": no such file");
        m_id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
        if (m_id < 0) {
            H5Eclear2(H5E_DEFAULT); // no destructor runs for a failed constructor (see ~File)
            throw Error(path.string() + ": not a readable HDF5 file (truncated or corrupted?)");
        }
    }
}

File::~File()
{
    if (m_id >= 0)
        H5Fclose(m_id);
    // Failed calls leave records on this thread's HDF5 error stack (the thread-safe library keeps one per
    // thread); a worker thread that ends with a non-empty stack makes libhdf5 complain at process exit.
    H5Eclear2(H5E_DEFAULT);
}

void File::close()
{
    if (m_id < 0)
        return;
    const hid_t id = m_id;
    m_id = -1;
    if (H5Fflush(id, H5F_SCOPE_GLOBAL) < 0 || H5Fclose(id) < 0)
        throw Error(m_path.string() + ": HDF5 could not finish writing the file (disk full?)");
}

std::string File::where(const std::string& object) const { return m_path.filename().string() + ": " + detail::printable(object); }

void File::createGroup(const std::string& group)
{
    Id id(H5Gcreate2(m_id, group.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    if (!id.ok())
        throw Error(where(group) + ": cannot create group");
}

namespace {

void writeAttr(hid_t file, const std::string& object, const std::string& name, hid_t fileType, hid_t memType,
               const void* value, const std::string& where)
{
    Id space(H5Screate(H5S_SCALAR), H5Sclose);
    Id attr(H5Acreate_by_name(file, object.c_str(), name.c_str(), fileType, space.get(), H5P_DEFAULT, H5P_DEFAULT,
                              H5P_DEFAULT),
            H5Aclose);
    if (!attr.ok() || H5Awrite(attr.get(), memType, value) < 0)
        throw Error(where + ": cannot write attribute '" + name + "'");
}

} // namespace

void File::setAttr(const std::string& object, const std::string& name, std::string_view value)
{
    Id type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type.get(), H5T_VARIABLE);
    H5Tset_cset(type.get(), H5T_CSET_UTF8);
    const std::string text(value);
    const char* pointer = text.c_str();
    writeAttr(m_id, object, name, type.get(), type.get(), &pointer, where(object));
}

void File::setAttr(const std::string& object, const std::string& name, std::int64_t value)
{
    writeAttr(m_id, object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value, where(object));
}

void File::setAttr(const std::string& object, const std::string& name, double value)
{
    writeAttr(m_id, object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value, where(object));
}

template <typename T>
void File::write(const std::string& dataset, std::span<const T> values, const std::vector<std::uint64_t>& shape,
                 Storage storage)
{
    std::uint64_t count = 1;
    for (auto extent : shape)
        count *= extent;
    if (count != values.size())
        throw Error(where(dataset) + ": " + std::to_string(values.size()) + " values for shape " + shapeText(shape));
    const std::vector<hsize_t> dims(shape.begin(), shape.end());
    Id space(H5Screate_simple(int(dims.size()), dims.data(), nullptr), H5Sclose);
    Id plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    if (storage.gzipLevel > 0 && count > 0) {
        // ~1 MiB chunks cut along the first axis: big enough for gzip, small enough to read part of a tensor.
        std::vector<hsize_t> chunk = dims;
        hsize_t inner = sizeof(T);
        for (std::size_t i = 1; i < dims.size(); ++i)
            inner *= dims[i];
        chunk[0] = std::clamp<hsize_t>((hsize_t(1) << 20) / std::max<hsize_t>(inner, 1), 1, dims[0]);
        H5Pset_chunk(plist.get(), int(chunk.size()), chunk.data());
        if (sizeof(T) > 1)
            H5Pset_shuffle(plist.get());
        H5Pset_deflate(plist.get(), unsigned(storage.gzipLevel));
    }
    Id id(H5Dcreate2(m_id, dataset.c_str(), TypeOf<T>::file(), space.get(), H5P_DEFAULT, plist.get(), H5P_DEFAULT),
          H5Dclose);
    if (!id.ok() || (count > 0 && H5Dwrite(id.get(), TypeOf<T>::mem(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0))
        throw Error(where(dataset) + ": cannot write dataset (disk full?)");
}

bool File::exists(const std::string& object) const
{
    if (object == "/")
        return true;
    // Every intermediate link must exist before H5Oexists_by_name may be asked about the last one.
    std::size_t pos = 0;
    while ((pos = object.find('/', pos + 1)) != std::string::npos)
        if (H5Lexists(m_id, object.substr(0, pos).c_str(), H5P_DEFAULT) <= 0)
            return false;
    return H5Lexists(m_id, object.c_str(), H5P_DEFAULT) > 0;
}

std::vector<std::string> File::children(const std::string& group) const
{
    Id id(H5Gopen2(m_id, group.c_str(), H5P_DEFAULT), H5Gclose);
    if (!id.ok())
        throw Error(where(group) + ": missing group");
    H5G_info_t info;
    if (H5Gget_info(id.get(), &info) < 0)
        throw Error(where(group) + ": unreadable group");
    std::vector<std::string> names;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        const ssize_t size = H5Lget_name_by_idx(id.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        if (size < 0)
            throw Error(where(group) + ": unreadable member " + std::to_string(i));
        std::string name(std::size_t(size), '\0');
        H5Lget_name_by_idx(id.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), std::size_t(size) + 1, H5P_DEFAULT);
        names.push_back(std::move(name));
    }
    std::sort(names.begin(), names.end());
    return names;
}

bool File::hasAttr(const std::string& object, const std::string& name) const
{
    return exists(object) && H5Aexists_by_name(m_id, object.c_str(), name.c_str(), H5P_DEFAULT) > 0;
}

namespace {

Id openAttr(hid_t file, const std::string& object, const std::string& name, const std::string& where)
{
    Id attr(H5Aopen_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    if (!attr.ok())
        throw Error(where + ": missing attribute '" + name + "'");
    Id space(H5Aget_space(attr.get()), H5Sclose);
    if (H5Sget_simple_extent_npoints(space.get()) != 1)
        throw Error(where + ": attribute '" + name + "' is not a single value");
    return Id(H5Aopen_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
}

H5T_class_t attrClass(hid_t attr)
{
    Id type(H5Aget_type(attr), H5Tclose);
    return H5Tget_class(type.get());
}

} // namespace

std::string File::attrString(const std::string& object, const std::string& name) const
{
    Id attr = openAttr(m_id, object, name, where(object));
    Id fileType(H5Aget_type(attr.get()), H5Tclose);
    if (H5Tget_class(fileType.get()) != H5T_STRING)
        throw Error(where(object) + ": attribute '" + name + "' is not a string");
    Id memType(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_cset(memType.get(), H5Tget_cset(fileType.get())); // HDF5 converts no strings between character sets
    if (H5Tis_variable_str(fileType.get()) > 0) {
        H5Tset_size(memType.get(), H5T_VARIABLE);
        char* text = nullptr;
        if (H5Aread(attr.get(), memType.get(), &text) < 0 || !text)
            throw Error(where(object) + ": unreadable attribute '" + name + "'");
        std::string out(text);
        H5free_memory(text);
        return out;
    }
    const std::size_t size = H5Tget_size(fileType.get());
    std::string out(size, '\0');
    H5Tset_size(memType.get(), size);
    if (H5Aread(attr.get(), memType.get(), out.data()) < 0)
        throw Error(where(object) + ": unreadable attribute '" + name + "'");
    return out.substr(0, out.find('\0'));
}

std::int64_t File::attrInt(const std::string& object, const std::string& name) const
{
    Id attr = openAttr(m_id, object, name, where(object));
    std::int64_t value = 0;
    if (attrClass(attr.get()) != H5T_INTEGER || H5Aread(attr.get(), H5T_NATIVE_INT64, &value) < 0)
        throw Error(where(object) + ": attribute '" + name + "' is not an integer");
    return value;
}

double File::attrDouble(const std::string& object, const std::string& name) const
{
    Id attr = openAttr(m_id, object, name, where(object));
    const auto cls = attrClass(attr.get());
    double value = 0;
    if ((cls != H5T_FLOAT && cls != H5T_INTEGER) || H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &value) < 0)
        throw Error(where(object) + ": attribute '" + name + "' is not a number");
    return value;
}

std::vector<std::uint64_t> File::shape(const std::string& dataset) const
{
    Id id(exists(dataset) ? H5Dopen2(m_id, dataset.c_str(), H5P_DEFAULT) : -1, H5Dclose);
    if (!id.ok())
        throw Error(where(dataset) + ": missing dataset");
    Id space(H5Dget_space(id.get()), H5Sclose);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0 || rank > 8)
        throw Error(where(dataset) + ": unreadable dataspace");
    std::vector<hsize_t> dims(std::size_t(rank), 0);
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    return { dims.begin(), dims.end() };
}

template <typename T>
std::vector<T> File::read(const std::string& dataset, const std::optional<std::vector<std::uint64_t>>& expected) const
{
    const auto dims = shape(dataset);
    if (expected && dims != *expected)
        throw Error(where(dataset) + ": shape " + shapeText(dims) + ", expected " + shapeText(*expected));
    Id id(H5Dopen2(m_id, dataset.c_str(), H5P_DEFAULT), H5Dclose);
    Id type(H5Dget_type(id.get()), H5Tclose);
    const auto cls = H5Tget_class(type.get());
    const bool wantFloat = std::is_floating_point_v<T>;
    const bool sameSign = wantFloat || (H5Tget_sign(type.get()) == H5T_SGN_2) == std::is_signed_v<T>;
    if (cls != (wantFloat ? H5T_FLOAT : H5T_INTEGER) || H5Tget_size(type.get()) != sizeof(T) || !sameSign)
        throw Error(where(dataset) + ": element type is not the " + std::to_string(sizeof(T) * 8) + "-bit "
                    + (wantFloat ? "float" : (std::is_signed_v<T> ? "signed integer" : "unsigned integer"))
                    + " the format prescribes");
    std::uint64_t count = 1;
    for (auto extent : dims)
        count *= extent;
    if (count > (std::uint64_t(1) << 36))
        throw Error(where(dataset) + ": implausibly large dataset " + shapeText(dims));
    std::vector<T> values(count);
    if (count > 0 && H5Dread(id.get(), TypeOf<T>::mem(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
        throw Error(where(dataset) + ": unreadable data (truncated or corrupted file?)");
    return values;
}

std::uint64_t File::storageBytes(const std::string& dataset) const
{
    Id id(H5Dopen2(m_id, dataset.c_str(), H5P_DEFAULT), H5Dclose);
    if (!id.ok())
        throw Error(where(dataset) + ": missing dataset");
    return H5Dget_storage_size(id.get());
}

#define GLVQ_H5_INSTANTIATE(T)                                                                                        \
    template void File::write<T>(const std::string&, std::span<const T>, const std::vector<std::uint64_t>&, Storage); \
    template std::vector<T> File::read<T>(const std::string&, const std::optional<std::vector<std::uint64_t>>&) const;
GLVQ_H5_INSTANTIATE(std::uint8_t)
GLVQ_H5_INSTANTIATE(std::uint16_t)
GLVQ_H5_INSTANTIATE(std::uint32_t)
GLVQ_H5_INSTANTIATE(std::uint64_t)
GLVQ_H5_INSTANTIATE(std::int16_t)
GLVQ_H5_INSTANTIATE(std::int32_t)
GLVQ_H5_INSTANTIATE(float)
GLVQ_H5_INSTANTIATE(double)
#undef GLVQ_H5_INSTANTIATE

} // namespace glvq::io::h5
