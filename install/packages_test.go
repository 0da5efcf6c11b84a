//go:build linux

package install_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// dist holds the artifacts scripts/dist built for the tests.
type dist struct {
	dir     string
	version string // git describe, as stamped in the binaries
}

func (d dist) path(t *testing.T, pattern string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(d.dir, pattern))
	if err != nil || len(m) != 1 {
		t.Fatalf("dist: want one %s, found %v (%v)", pattern, m, err)
	}
	return m[0]
}

// buildDist runs scripts/dist for the linux/amd64 and windows/amd64
// artifacts, or takes an already built dist/ from LABELBRIDGE_DIST.
func buildDist(t *testing.T) dist {
	t.Helper()
	version := strings.TrimSpace(run(t, "git", "describe", "--tags", "--always", "--dirty"))
	if dir := os.Getenv("LABELBRIDGE_DIST"); dir != "" {
		return dist{dir: dir, version: version}
	}
	dir := t.TempDir()
	cmd := exec.Command("../scripts/dist")
	cmd.Env = append(os.Environ(), "DIST_DIR="+dir, "PLATFORMS=linux/amd64 windows/amd64")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/dist: %v\n%s", err, out)
	}
	return dist{dir: dir, version: version}
}

// run runs a command and returns its stdout, failing the test on an error.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.Bytes())
	}
	return string(out)
}

func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed: scripts/deps installs it", tool)
		}
	}
}

func TestPackages(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the packages")
	}
	needTools(t, "git", "dpkg-deb", "dpkg", "rpm", "rpm2archive", "msiinfo", "msiextract", "sha256sum", "file")
	d := buildDist(t)
	binary := d.path(t, "labelbridge_*_linux_amd64")
	exe := d.path(t, "labelbridge_*_windows_amd64.exe")
	deb := d.path(t, "labelbridge_*_amd64.deb")
	rpm := d.path(t, "labelbridge_*.x86_64.rpm")
	msi := d.path(t, "labelbridge_*_x64.msi")

	t.Run("VersionFromGit", func(t *testing.T) {
		if got, want := run(t, binary, "version"), "labelbridge "+d.version+"\n"; got != want {
			t.Errorf("version = %q, want %q", got, want)
		}
		for _, f := range []string{binary, exe, deb, rpm, msi} {
			if !strings.Contains(filepath.Base(f), d.version) {
				t.Errorf("%s is not named with the version %s", filepath.Base(f), d.version)
			}
		}
	})
	t.Run("Checksums", func(t *testing.T) {
		cmd := exec.Command("sha256sum", "--check", "--strict", "SHA256SUMS")
		cmd.Dir = d.dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("sha256sum --check: %v\n%s", err, out)
		}
		for _, f := range []string{binary, exe, deb, rpm, msi} {
			if !strings.Contains(string(out), filepath.Base(f)+": OK") {
				t.Errorf("SHA256SUMS does not cover %s:\n%s", filepath.Base(f), out)
			}
		}
	})
	t.Run("StaticBinary", func(t *testing.T) {
		// CGO_ENABLED=0: nothing for the packages to depend on.
		if out := run(t, "file", binary); !strings.Contains(out, "statically linked") {
			t.Errorf("file %s: %s", filepath.Base(binary), out)
		}
	})
	t.Run("Deb", func(t *testing.T) { checkDeb(t, deb, binary) })
	t.Run("DebInstallsIntoScratchRoot", func(t *testing.T) { installDeb(t, deb) })
	t.Run("RPM", func(t *testing.T) { checkRPM(t, rpm, binary) })
	t.Run("MSI", func(t *testing.T) { checkMSI(t, msi, exe) })
}

// packageFiles are the files both Linux packages install, with their modes.
var packageFiles = map[string]string{
	"/usr/bin/labelbridge":                        "-rwxr-xr-x",
	"/usr/lib/systemd/system/labelbridge.service": "-rw-r--r--",
	"/usr/lib/udev/rules.d/60-labelbridge.rules":  "-rw-r--r--",
	"/etc/labelbridge/labelbridge.yaml":           "-rw-r--r--",
	"/usr/share/doc/labelbridge/README.md":        "-rw-r--r--",
}

// scripts are the maintainer scripts, by their name in a .deb.
var scripts = map[string]string{
	"preinst":  "scripts/preinstall.sh",
	"postinst": "scripts/postinstall.sh",
	"prerm":    "scripts/preremove.sh",
	"postrm":   "scripts/postremove.sh",
}

func checkDeb(t *testing.T, deb, binary string) {
	// dpkg-deb -c: "-rwxr-xr-x root/root 18288802 2026-11-27 08:20 ./usr/bin/labelbridge"
	listed := map[string]string{}
	for line := range strings.Lines(run(t, "dpkg-deb", "--contents", deb)) {
		f := strings.Fields(line)
		if len(f) == 6 {
			listed[strings.TrimPrefix(f[5], ".")] = f[0] + " " + f[1]
		}
	}
	for path, mode := range packageFiles {
		if got := listed[path]; got != mode+" root/root" {
			t.Errorf("%s: listed as %q, want %q", path, got, mode+" root/root")
		}
	}
	if got := run(t, "dpkg-deb", "--field", deb, "Package", "Architecture"); got != "Package: labelbridge\nArchitecture: amd64\n" {
		t.Errorf("control fields:\n%s", got)
	}
	ctrl := t.TempDir()
	run(t, "dpkg-deb", "--control", deb, ctrl)
	if got, _ := os.ReadFile(filepath.Join(ctrl, "conffiles")); string(got) != "/etc/labelbridge/labelbridge.yaml\n" {
		t.Errorf("conffiles = %q, want the config file alone: upgrades keep it", got)
	}
	for name, src := range scripts {
		got, err := os.ReadFile(filepath.Join(ctrl, name))
		want, _ := os.ReadFile(src)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is not %s (%v)", name, src, err)
		}
	}
	files := t.TempDir()
	run(t, "dpkg-deb", "--extract", deb, files)
	sameFile(t, filepath.Join(files, "usr/bin/labelbridge"), binary)
	sameFile(t, filepath.Join(files, "usr/lib/systemd/system/labelbridge.service"), "labelbridge.service")
	sameFile(t, filepath.Join(files, "usr/lib/udev/rules.d/60-labelbridge.rules"), "60-labelbridge.rules")
	sameFile(t, filepath.Join(files, "etc/labelbridge/labelbridge.yaml"), "labelbridge.yaml")
}

func sameFile(t *testing.T, got, want string) {
	t.Helper()
	a, err := os.ReadFile(got)
	if err != nil {
		t.Error(err)
		return
	}
	b, err := os.ReadFile(want)
	if err != nil {
		t.Error(err)
		return
	}
	if !bytes.Equal(a, b) {
		t.Errorf("%s differs from %s", got, want)
	}
}

// scratchRoot makes a folder dpkg can install into: its database, and the
// users and groups of a Debian system that matter here.
func scratchRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, dir := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates", "etc"} {
		os.MkdirAll(filepath.Join(root, dir), 0o755)
	}
	files := map[string]string{
		"var/lib/dpkg/status":    "",
		"var/lib/dpkg/available": "",
		"etc/passwd":             "root:x:0:0:root:/root:/bin/sh\n",
		"etc/group":              "root:x:0:\nlp:x:7:\ndialout:x:20:\n",
		"etc/shadow":             "root:*:19000:0:99999:7:::\n",
		"etc/gshadow":            "root:*::\nlp:*::\ndialout:*::\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(root, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// dpkg runs dpkg on root, with the maintainer scripts run outside a chroot
// and told the root by DPKG_ROOT, and returns what it said.
func dpkg(t *testing.T, root string, args ...string) string {
	t.Helper()
	args = append([]string{"--root=" + root, "--force-script-chrootless", "--log=/dev/null"}, args...)
	out, err := exec.Command("dpkg", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("dpkg %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func installDeb(t *testing.T, deb string) {
	if os.Geteuid() != 0 {
		t.Skip("dpkg --root needs root to set owners")
	}
	root := scratchRoot(t)
	at := func(p string) string { return filepath.Join(root, p) }
	enabled := at("etc/systemd/system/multi-user.target.wants/labelbridge.service")
	_, haveSystemctl := exec.LookPath("systemctl")

	out := dpkg(t, root, "--install", deb)
	t.Run("Install", func(t *testing.T) {
		for _, complaint := range []string{"not written", "did not", "warning", "error"} {
			if strings.Contains(strings.ToLower(out), complaint) {
				t.Errorf("the maintainer scripts complained (%q):\n%s", complaint, out)
			}
		}
		for path := range packageFiles {
			if _, err := os.Stat(at(path)); err != nil {
				t.Errorf("not installed: %v", err)
			}
		}
		passwd, _ := os.ReadFile(at("etc/passwd"))
		m := regexp.MustCompile(`(?m)^labelbridge:x:(\d+):(\d+):[^:]*:/var/lib/labelbridge:/usr/sbin/nologin$`).FindSubmatch(passwd)
		if m == nil {
			t.Fatalf("no system user labelbridge in /etc/passwd:\n%s", passwd)
		}
		uid, _ := strconv.Atoi(string(m[1]))
		if uid >= 1000 {
			t.Errorf("user labelbridge has uid %d, want a system uid", uid)
		}
		fi, err := os.Stat(at("var/lib/labelbridge"))
		if err != nil {
			t.Fatal(err)
		}
		if st := fi.Sys().(*syscall.Stat_t); int(st.Uid) != uid || fi.Mode().Perm() != 0o750 {
			t.Errorf("/var/lib/labelbridge: owner %d mode %v, want %d 0750", st.Uid, fi.Mode().Perm(), uid)
		}
		if haveSystemctl == nil {
			if target, err := os.Readlink(enabled); err != nil || target != "/usr/lib/systemd/system/labelbridge.service" {
				t.Errorf("service not enabled: %q, %v", target, err)
			}
		}
		if _, err := os.Stat(at("etc/opt/chrome/policies/managed/labelbridge.json")); err == nil {
			t.Error("a browser policy was written though the default config allows no origins")
		}
	})

	// The administrator edits the config and keeps jobs; an upgrade (the
	// same package again) keeps both and writes the browsers' policy from
	// the config's origins.
	edited := strings.Replace(string(mustRead(t, at("etc/labelbridge/labelbridge.yaml"))),
		"allowed_origins: []", `allowed_origins: ["https://seller.example.com"]`, 1)
	os.WriteFile(at("etc/labelbridge/labelbridge.yaml"), []byte(edited), 0o644)
	os.WriteFile(at("var/lib/labelbridge/labelbridge.db"), []byte("jobs"), 0o600)
	out = dpkg(t, root, "--install", deb)
	t.Run("Upgrade", func(t *testing.T) {
		if got := string(mustRead(t, at("etc/labelbridge/labelbridge.yaml"))); got != edited {
			t.Errorf("the upgrade changed the config:\n%s", got)
		}
		if got := string(mustRead(t, at("var/lib/labelbridge/labelbridge.db"))); got != "jobs" {
			t.Errorf("the upgrade lost the job store")
		}
		for _, p := range []string{"etc/opt/chrome/policies/managed/labelbridge.json", "etc/chromium/policies/managed/labelbridge.json", "etc/opt/edge/policies/managed/labelbridge.json"} {
			var policy map[string][]string
			if err := json.Unmarshal(mustRead(t, at(p)), &policy); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if got := policy["LocalNetworkAccessAllowedForUrls"]; !slices.Equal(got, []string{"https://seller.example.com"}) {
				t.Errorf("%s allows %q", p, got)
			}
		}
	})

	out = dpkg(t, root, "--remove", "labelbridge")
	t.Run("Remove", func(t *testing.T) {
		if _, err := os.Stat(at("usr/bin/labelbridge")); err == nil {
			t.Error("the program is still there")
		}
		if got := string(mustRead(t, at("etc/labelbridge/labelbridge.yaml"))); got != edited {
			t.Error("remove (not purge) lost the config")
		}
		if got := string(mustRead(t, at("var/lib/labelbridge/labelbridge.db"))); got != "jobs" {
			t.Error("remove (not purge) lost the job store")
		}
		if _, err := os.Stat(at("etc/opt/chrome/policies/managed/labelbridge.json")); err == nil {
			t.Error("the browser policy outlived the package")
		}
		if _, err := os.Lstat(enabled); err == nil {
			t.Error("the service is still enabled")
		}
	})

	dpkg(t, root, "--purge", "labelbridge")
	t.Run("Purge", func(t *testing.T) {
		for _, p := range []string{"etc/labelbridge", "var/lib/labelbridge"} {
			if _, err := os.Stat(at(p)); err == nil {
				t.Errorf("%s is still there after purge", p)
			}
		}
	})
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func checkRPM(t *testing.T, rpm, binary string) {
	if got := run(t, "rpm", "-qp", "--qf", "%{NAME} %{ARCH}\n", rpm); got != "labelbridge x86_64\n" {
		t.Errorf("name and arch: %q", got)
	}
	listed := map[string]string{}
	for line := range strings.Lines(run(t, "rpm", "-qp", "--qf", "[%{FILEMODES:perms} %{FILEUSERNAME}/%{FILEGROUPNAME} %{FILENAMES}\n]", rpm)) {
		f := strings.Fields(line)
		listed[f[2]] = f[0] + " " + f[1]
	}
	for path, mode := range packageFiles {
		if got := listed[path]; got != mode+" root/root" {
			t.Errorf("%s: listed as %q, want %q", path, got, mode+" root/root")
		}
	}
	if got := run(t, "rpm", "-qp", "--configfiles", rpm); got != "/etc/labelbridge/labelbridge.yaml\n" {
		t.Errorf("config files: %q, want the config file alone", got)
	}
	// %config(noreplace): bit 16 of FILEFLAGS, with %config (bit 1).
	for line := range strings.Lines(run(t, "rpm", "-qp", "--qf", "[%{FILEFLAGS} %{FILENAMES}\n]", rpm)) {
		f := strings.Fields(line)
		if f[1] == "/etc/labelbridge/labelbridge.yaml" {
			if flags, _ := strconv.Atoi(f[0]); flags&(1|16) != 1|16 {
				t.Errorf("config file flags %d: not %%config(noreplace)", flags)
			}
		}
	}
	allScripts := run(t, "rpm", "-qp", "--scripts", rpm)
	for _, src := range scripts {
		want, _ := os.ReadFile(src)
		if !strings.Contains(allScripts, strings.TrimSpace(string(want))) {
			t.Errorf("the rpm's scriptlets do not hold %s", src)
		}
	}
	files := t.TempDir()
	extract := exec.Command("sh", "-c", `rpm2archive - <"$1" | tar -xzf -`, "sh", rpm)
	extract.Dir = files
	if out, err := extract.CombinedOutput(); err != nil {
		t.Fatalf("rpm2archive: %v\n%s", err, out)
	}
	sameFile(t, filepath.Join(files, "usr/bin/labelbridge"), binary)
	sameFile(t, filepath.Join(files, "usr/lib/systemd/system/labelbridge.service"), "labelbridge.service")
}

// msiTable exports one table of an MSI as rows of tab-separated fields,
// without the three header lines.
func msiTable(t *testing.T, msi, table string) [][]string {
	t.Helper()
	var rows [][]string
	for i, line := range strings.Split(strings.TrimRight(run(t, "msiinfo", "export", msi, table), "\r\n"), "\n") {
		if i >= 3 {
			rows = append(rows, strings.Split(strings.TrimRight(line, "\r"), "\t"))
		}
	}
	return rows
}

func row(rows [][]string, key string) []string {
	for _, r := range rows {
		if r[0] == key {
			return r
		}
	}
	return nil
}

func checkMSI(t *testing.T, msi, exe string) {
	if got := run(t, "msiinfo", "suminfo", msi); !strings.Contains(got, "x64;1033") {
		t.Errorf("summary information does not say x64:\n%s", got)
	}
	props := msiTable(t, msi, "Property")
	if r := row(props, "MsiHiddenProperties"); r == nil || r[1] != "TOKEN" {
		t.Errorf("MsiHiddenProperties = %v, want TOKEN kept out of logs", r)
	}
	if r := row(props, "UpgradeCode"); r == nil || !strings.EqualFold(r[1], "{5347964e-ec95-4c19-8d28-9ce43f755a9c}") {
		t.Errorf("UpgradeCode = %v: it must never change, or upgrades install side by side", r)
	}
	// The upgrade table removes every older version (OLDERFOUND / WIX_UPGRADE_DETECTED).
	var upgrades bool
	for _, r := range msiTable(t, msi, "Upgrade") {
		upgrades = upgrades || r[len(r)-1] == "WIX_UPGRADE_DETECTED"
	}
	if !upgrades {
		t.Error("no major upgrade: a new version would not replace the old one")
	}
	if r := row(msiTable(t, msi, "LaunchCondition"), "Privileged"); r == nil {
		t.Error("no launch condition for administrator rights")
	}

	file := row(msiTable(t, msi, "File"), "LabelbridgeExe")
	if file == nil || file[2] != "labelbridge.exe" {
		t.Fatalf("File row %v, want labelbridge.exe", file)
	}
	if r := row(msiTable(t, msi, "Directory"), "INSTALLDIR"); r == nil || r[1] != "ProgramFiles64Folder" || r[2] != "labelbridge" {
		t.Errorf("INSTALLDIR = %v, want Program Files\\labelbridge", r)
	}
	// ServiceInstall: Name DisplayName ServiceType StartType ErrorControl ... StartName Password Arguments Component_ Description
	svc := row(msiTable(t, msi, "ServiceInstall"), "LabelbridgeService")
	if svc == nil {
		t.Fatal("no ServiceInstall row")
	}
	if svc[1] != "labelbridge" || svc[3] != "16" || svc[4] != "2" || svc[8] != "LocalSystem" ||
		svc[10] != `run --config "[CommonAppDataFolder]labelbridge\labelbridge.yaml"` || svc[11] != "Service" {
		t.Errorf("ServiceInstall = %q: want service labelbridge, own process, automatic start, LocalSystem, run --config %%ProgramData%%\\labelbridge\\labelbridge.yaml", svc)
	}
	// ServiceControl Event 163: start on install, stop on install and uninstall, delete on uninstall.
	if ctl := row(msiTable(t, msi, "ServiceControl"), "LabelbridgeServiceControl"); ctl == nil || ctl[1] != "labelbridge" || ctl[2] != "163" || ctl[4] != "1" {
		t.Errorf("ServiceControl = %q, want labelbridge started on install, stopped and removed on uninstall, waited for", ctl)
	}
	actions := msiTable(t, msi, "CustomAction")
	configure := row(actions, "LbConfigure")
	for _, arg := range []string{`--port "[PORT]"`, `--allowed-origins "[ALLOWED_ORIGINS]"`, `--from-file "[CONFIG]"`, `--from-url "[CONFIG_URL]"`, `--token "[TOKEN]"`} {
		if configure == nil || !strings.Contains(configure[3], arg) {
			t.Errorf("LbConfigure %q does not pass %s", configure, arg)
		}
	}
	// 3090: an installed exe (18), deferred (1024), not impersonated (2048): it runs as SYSTEM.
	if configure == nil || configure[1] != "3090" || configure[2] != "LabelbridgeExe" || !strings.HasPrefix(configure[3], "service configure ") {
		t.Errorf("LbConfigure = %q, want labelbridge.exe service configure, deferred, as SYSTEM, its failure failing the install", configure)
	}
	if un := row(actions, "LbUnconfigure"); un == nil || un[1] != "3154" || !strings.Contains(un[3], `--purge "[PURGE]"`) || !strings.Contains(un[3], `--upgrading "[UPGRADINGPRODUCTCODE]"`) {
		t.Errorf("LbUnconfigure = %q", un)
	}
	seq := msiTable(t, msi, "InstallExecuteSequence")
	number := func(action string) int {
		r := row(seq, action)
		if r == nil {
			t.Fatalf("%s is not in InstallExecuteSequence", action)
		}
		n, _ := strconv.Atoi(r[2])
		return n
	}
	if !(number("InstallServices") < number("LbConfigure") && number("LbConfigure") < number("StartServices")) {
		t.Error("LbConfigure must run after the service is registered and before it starts")
	}
	if !(number("StopServices") < number("LbUnconfigure") && number("LbUnconfigure") < number("RemoveFiles")) {
		t.Error("LbUnconfigure must run once the service stopped and while labelbridge.exe is there")
	}
	// The old version goes whole before the new one is installed, so that
	// its LbUnconfigure cannot undo the new LbConfigure.
	if !(number("InstallValidate") < number("RemoveExistingProducts") && number("RemoveExistingProducts") < number("InstallInitialize")) {
		t.Error("RemoveExistingProducts must run between InstallValidate and InstallInitialize")
	}
	if r := row(seq, "LbConfigure"); r[1] != "NOT REMOVE" {
		t.Errorf("LbConfigure condition %q, want NOT REMOVE", r[1])
	}
	if r := row(seq, "LbUnconfigure"); r[1] != `REMOVE="ALL"` {
		t.Errorf("LbUnconfigure condition %q, want REMOVE=\"ALL\"", r[1])
	}
	var eventSource bool
	for _, r := range msiTable(t, msi, "Registry") {
		eventSource = eventSource || strings.HasPrefix(r[2], `SYSTEM\CurrentControlSet\Services\EventLog\Application\labelbridge`) && r[3] == "EventMessageFile"
	}
	if !eventSource {
		t.Error("the event log source labelbridge is not registered")
	}

	files := t.TempDir()
	cmd := exec.Command("msiextract", "--directory", files, msi)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("msiextract: %v\n%s", err, out)
	}
	sameFile(t, filepath.Join(files, "labelbridge", "labelbridge.exe"), exe)
}

// TestDebOnSystemd installs the .deb on this machine for real, and checks
// that systemd starts the service and that it answers /healthz, then
// purges it. It changes the machine, so it runs only when asked:
// LABELBRIDGE_SYSTEM_TEST=1, as root, where systemd is running and nothing
// else uses port 9110.
func TestDebOnSystemd(t *testing.T) {
	if os.Getenv("LABELBRIDGE_SYSTEM_TEST") != "1" {
		t.Skip("installs on this machine: set LABELBRIDGE_SYSTEM_TEST=1 to run it")
	}
	if _, err := os.Stat("/run/systemd/system"); err != nil || os.Geteuid() != 0 {
		t.Fatal("LABELBRIDGE_SYSTEM_TEST needs root on a machine running systemd")
	}
	d := buildDist(t)
	deb := d.path(t, "labelbridge_*_amd64.deb")
	t.Cleanup(func() { exec.Command("dpkg", "--purge", "labelbridge").Run() })
	if out, err := exec.Command("dpkg", "--install", deb).CombinedOutput(); err != nil {
		t.Fatalf("dpkg --install: %v\n%s", err, out)
	}
	var last error
	for range 150 {
		resp, err := http.Get("http://127.0.0.1:9110/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				last = nil
				break
			}
			err = errors.New(resp.Status)
		}
		last = err
		time.Sleep(200 * time.Millisecond)
	}
	if last != nil {
		out, _ := exec.Command("journalctl", "-u", "labelbridge", "--no-pager", "-n", "50").CombinedOutput()
		t.Fatalf("/healthz: %v\n%s", last, out)
	}
	if out, err := exec.Command("labelbridge", "status").CombinedOutput(); err != nil {
		t.Errorf("labelbridge status: %v\n%s", err, out)
	}
	if out, err := exec.Command("systemctl", "show", "-p", "User", "-p", "ActiveState", "labelbridge").Output(); err != nil || string(out) != "User=labelbridge\nActiveState=active\n" {
		t.Errorf("systemctl show: %q, %v", out, err)
	}
}
