// The native debugger: a GLFW window with an OpenGL 3.3 context around the same DebuggerApp the
// browser runs. `vmscope-debugger [PROGRAM]` opens a window; `--script FILE` drives it with
// commands (tests run it under Xvfb) and `--screenshot FILE` writes the last frame (binary PPM).
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "app.h"
#include "script.h"

using namespace vmscope::ui;

namespace {

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Where the bundled programs are: installed (cmake --install, the .deb) beside bin/ in
// share/vmscope/programs, else the build tree's assets.
std::filesystem::path programs_dir() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const std::filesystem::path installed = exe.parent_path().parent_path() / "share/vmscope/programs";
    if (std::filesystem::is_directory(installed, ec)) return installed;
  }
  return VMSCOPE_ASSETS_DIR;
}

// The bundled programs: the guest programs built with vmscope.
std::vector<BundledProgram> bundled_programs() {
  std::vector<BundledProgram> list;
  const std::filesystem::path root = programs_dir();
  // The same order as the browser's picker: the kernel first, names sorted within a group.
  for (const char* group : {"kernel", "os", "system", "process", "bench"}) {
    const std::filesystem::path dir = root / group;
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec))
      if (e.path().extension() == ".elf") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      if (f.stem() == "kernel_qemu") continue;  // the same kernel linked for QEMU + OpenSBI
      BundledProgram p{f.stem().string(), group, "", [f] { return read_file(f.string()); }, nullptr};
      const std::filesystem::path disk = std::filesystem::path(f).replace_extension(".img");
      if (std::filesystem::exists(disk, ec)) p.read_disk = [disk] { return read_file(disk.string()); };
      list.push_back(std::move(p));
    }
  }
  return list;
}

// The debugger's font: DejaVu Sans Mono from Debian's fonts-dejavu-core. Empty (Dear ImGui's
// bitmap font) if it is not installed.
std::vector<uint8_t> read_font() {
  std::vector<uint8_t> bytes = read_file("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf");
  if (!bytes.empty()) return bytes;
  std::fprintf(stderr, "vmscope-debugger: DejaVuSansMono.ttf not found (apt-get install fonts-dejavu-core): using a bitmap font\n");
  return {};
}

bool write_screenshot(const std::string& path, int width, int height) {
  std::vector<uint8_t> pixels(static_cast<size_t>(width) * height * 3);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, pixels.data());
  std::ofstream out(path, std::ios::binary);
  out << "P6\n" << width << " " << height << "\n255\n";
  for (int y = height - 1; y >= 0; --y)  // OpenGL's rows go bottom-up
    out.write(reinterpret_cast<const char*>(pixels.data() + static_cast<size_t>(y) * width * 3), width * 3);
  return static_cast<bool>(out);
}

int usage() {
  std::fprintf(stderr,
               "usage: vmscope-debugger [PROGRAM.elf|NAME] [--lesson NAME|FILE.toml] [--step K] [--at STEP] [--script FILE]\n"
               "                        [--screenshot FILE.ppm] [--virt V] [--shadow S] [--quirk Q] [--engine E]\n"
               "                        [--chain 0|1] [--cache KIB] [--evict E] [--speed full|N] [--embed 1] [--gdb PORT]\n"
               "  --step, --at  open a lesson at step K / the run at step STEP (replayed there): the Share\n"
               "             menu gives the command for the moment on screen; the other options are as in\n"
               "             the browser's links (web/README.md)\n"
               "  --lesson   start a lesson: a shipped one by name (the Lessons menu lists them) or a lesson\n"
               "             file (docs/lesson-format.md); --scenario NAME is the same. Shipped: trap-and-emulate, shadow-paging,\n"
               "              critical-instruction, is-x86-virtualizable, pdp10-jrst1\n"
               "  PROGRAM    an RV32 ELF to open (default: the first bundled program)\n"
               "  --script   run debugger commands from FILE, one per line, then exit with 0 if every\n"
               "             'expect' held (see ui-imgui/script.h for the commands)\n"
               "  --screenshot  with --script: write the final frame to FILE (binary PPM)\n"
               "  --gdb      let gdb attach on 127.0.0.1:PORT (gdb-multiarch PROGRAM -ex 'target remote :PORT');\n"
               "             File > Debug with gdb... does it later, without a restart\n"
               "Keys: F5 run/continue, Shift+F5 pause, F10 step over, F11 step, F9 toggle breakpoint.\n");
  return 110;
}

}  // namespace

int main(int argc, char** argv) {
  std::string program, script_path, screenshot, scenario;
  std::vector<std::pair<std::string, std::string>> link;  // what a shared link says, as options
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--script" && i + 1 < argc) script_path = argv[++i];
    else if (a == "--screenshot" && i + 1 < argc) screenshot = argv[++i];
    else if ((a == "--scenario" || a == "--lesson") && i + 1 < argc) scenario = argv[++i];
    else if (a == "-h" || a == "--help") return usage(), 0;
    else if (a.starts_with("--") && i + 1 < argc) link.emplace_back(a.substr(2), argv[++i]);
    else if (!a.empty() && a[0] == '-') return usage();
    else program = a;
  }

  if (!glfwInit()) {
    std::fprintf(stderr, "vmscope-debugger: cannot initialise GLFW (is there a display?)\n");
    return 1;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  // The window takes the screen's work area (a projector's 1280x720 as well as a 4K desktop).
  int width = 1280, height = 800;
  if (GLFWmonitor* monitor = glfwGetPrimaryMonitor()) {
    int x, y, w, h;
    glfwGetMonitorWorkarea(monitor, &x, &y, &w, &h);
    if (w >= 640 && h >= 400) width = w, height = h;
  }
  GLFWwindow* window = glfwCreateWindow(width, height, "vmscope debugger", nullptr, nullptr);
  if (!window) {
    std::fprintf(stderr, "vmscope-debugger: cannot open an OpenGL 3.3 window\n");
    return 1;
  }
  glfwMakeContextCurrent(window);
  glfwSwapInterval(script_path.empty() ? 1 : 0);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  DebuggerApp app;
  app.install_settings();  // before Dear ImGui reads imgui.ini (at the first frame)
  if (!script_path.empty()) ImGui::GetIO().IniFilename = nullptr;  // tests start from the default settings
  app.set_font(read_font());
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init("#version 330 core");

  app.set_bundled_programs(bundled_programs());
  // A program: a file, or a bundled program by name (as shared links name them).
  if (!program.empty() && std::filesystem::exists(program)) {
    const std::vector<uint8_t> bytes = read_file(program);
    if (bytes.empty()) std::fprintf(stderr, "vmscope-debugger: cannot read '%s'\n", program.c_str());
    else if (!app.open_file(bytes, program)) std::fprintf(stderr, "vmscope-debugger: %s\n", app.error().c_str());
  } else if (!program.empty()) {
    link.insert(link.begin(), {"program", program});
  } else {
    app.load_bundled("sv32_paging");
  }
  if (scenario.ends_with(".toml")) {  // a lesson file
    const std::vector<uint8_t> text = read_file(scenario);
    if (text.empty()) std::fprintf(stderr, "vmscope-debugger: cannot read '%s'\n", scenario.c_str());
    else if (!app.start_lesson_text(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()), scenario))
      for (const LessonError& e : app.lesson_errors()) std::fprintf(stderr, "vmscope-debugger: %s\n", e.str().c_str());
  } else if (!scenario.empty()) {
    link.insert(link.begin(), {"lesson", scenario});
  }
  // Settings, a bundled program or lesson, a lesson step, a step of the run (--at N), --embed 1.
  for (const std::string& problem : app.open_link(link)) std::fprintf(stderr, "vmscope-debugger: %s\n", problem.c_str());
  // Snapshots go to the current folder.
  app.save_file = [](const std::string& name, const std::vector<uint8_t>& bytes) {
    std::ofstream out(name, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return static_cast<bool>(out);
  };
  // Files dropped on the window: a lesson (.toml) or a program, as in the browser.
  static DebuggerApp* dropped_on = &app;
  glfwSetDropCallback(window, [](GLFWwindow*, int count, const char** paths) {
    for (int i = 0; i < count; ++i) {
      const std::string path = paths[i];
      const std::vector<uint8_t> bytes = read_file(path);
      dropped_on->open_file(bytes, path);  // a program, a lesson, a snapshot or a recording
    }
  });

  std::unique_ptr<Script> script;
  if (!script_path.empty()) {
    std::ifstream in(script_path);
    if (!in) {
      std::fprintf(stderr, "vmscope-debugger: cannot read script '%s'\n", script_path.c_str());
      return 111;
    }
    script = std::make_unique<Script>(std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()));
  }

  auto last = std::chrono::steady_clock::now();
  int exit_code = 0;
  while (!glfwWindowShouldClose(window)) {
    glfwPollEvents();
    const auto now = std::chrono::steady_clock::now();
    const double dt = std::chrono::duration<double>(now - last).count();
    last = now;
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    float zoom_x = 1, zoom_y = 1;  // the screen's content scale: text follows the desktop's DPI
    glfwGetWindowContentScale(window, &zoom_x, &zoom_y);
    if (app.apply_appearance(std::clamp(zoom_x, 1.0f, 4.0f), 1.0f)) {
      ImGui_ImplOpenGL3_DestroyFontsTexture();
      ImGui_ImplOpenGL3_CreateFontsTexture();
    }
    if (script && !script->done()) script->step(app, std::cout);  // before NewFrame: it presses keys
    ImGui::NewFrame();
    const auto t_app = std::chrono::steady_clock::now();
    app.frame(dt);
    const double app_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_app).count();
    if (getenv("VMSCOPE_FRAME_LOG")) std::fprintf(stderr, "frame: app %.1f ms, previous frame %.1f ms\n", app_seconds * 1e3, dt * 1e3);
    ImGui::Render();
    int w, h;
    glfwGetFramebufferSize(window, &w, &h);
    glViewport(0, 0, w, h);
    glClearColor(0.08f, 0.08f, 0.1f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    if (script && script->done()) {
      if (!screenshot.empty() && !write_screenshot(screenshot, w, h)) {
        std::fprintf(stderr, "vmscope-debugger: cannot write '%s'\n", screenshot.c_str());
        exit_code = 111;
      }
      if (exit_code == 0) exit_code = script->failures() ? 1 : 0;
      break;
    }
    glfwSwapBuffers(window);
  }

  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return exit_code;
}
