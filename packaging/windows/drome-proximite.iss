; Inno Setup 6 script of the laptop installer (docs/windows.md): installs the one-folder app
; built by PyInstaller (dist\drome-proximite) for every user of the PC, creates the folder of
; the machine-wide preset (%ProgramData%\DromeProximite\settings.json), writes the server
; address into it when given as /SERVERURL=https://..., and runs the app's --self-check.
; Build: "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" packaging\windows\drome-proximite.iss

#define AppName "Drôme Proximité"
#define AppExe "drome-proximite.exe"
#define BundleDir "..\..\dist\drome-proximite"
; The version comes from the executable's version resource (version_info.txt, pyproject).
#define AppVersion GetVersionNumbersString(BundleDir + "\" + AppExe)

[Setup]
; Never change AppId: Windows recognises upgrades and the uninstaller by it.
AppId={{F77BB171-AB24-49BA-9194-9D1D0CD3F918}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Département de la Drôme
AppComments=Application du service médico-social itinérant
DefaultDirName={autopf}\Drome Proximite
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename=drome-proximite-{#AppVersion}-installation
SetupIconFile=drome-proximite.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
LicenseFile=..\..\LICENSE
VersionInfoVersion={#AppVersion}
VersionInfoCompany=Département de la Drôme
VersionInfoProductName={#AppName}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
; The app is closed before an upgrade replaces its files.
CloseApplications=yes

[Languages]
Name: "french"; MessagesFile: "compiler:Languages\French.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
; The whole PyInstaller folder; files left from an older version are removed first.
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

[Dirs]
; The machine-wide preset's folder; the preset itself comes from /SERVERURL or a GPO.
Name: "{commonappdata}\DromeProximite"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; The uninstaller leaves the data alone: each professional's encrypted store lives in their
; own %LOCALAPPDATA%\Departement-Drome\drome-proximite, and unsynced work must never be lost
; by uninstalling.

[Code]
{ /SERVERURL=https://sync.example: the machine-wide preset of the CMS server's address. }
procedure WriteServerPreset();
var
  Url: String;
begin
  Url := ExpandConstant('{param:SERVERURL|}');
  if Url = '' then
    Exit;
  if (Pos('"', Url) > 0) or (Pos('\', Url) > 0) or
     ((Pos('https://', Lowercase(Url)) <> 1) and (Pos('http://127.0.0.1', Url) <> 1)) then
  begin
    Log('SERVERURL ignored (https:// expected): ' + Url);
    Exit;
  end;
  SaveStringToFile(ExpandConstant('{commonappdata}\DromeProximite\settings.json'),
    '{"server_url": "' + Url + '"}' + #13#10, False);
  Log('Server preset written: ' + Url);
end;

{ The app checks itself headless (resources, encrypted store, PDF fonts, Qt): exit code 0. }
procedure RunSelfCheck();
var
  ResultCode: Integer;
begin
  if Exec(ExpandConstant('{app}\{#AppExe}'), '--self-check', '', SW_HIDE,
          ewWaitUntilTerminated, ResultCode) and (ResultCode = 0) then
    Log('Self-check passed')
  else
  begin
    Log('Self-check FAILED, exit code ' + IntToStr(ResultCode));
    SuppressibleMsgBox('La vérification de Drôme Proximité a échoué : réinstallez ' +
      'l''application ou contactez le support informatique.', mbError, MB_OK, IDOK);
  end;
end;

procedure CurStepChanged(CurStep: TSetupStep);
begin
  if CurStep = ssPostInstall then
  begin
    WriteServerPreset();
    RunSelfCheck();
  end;
end;
