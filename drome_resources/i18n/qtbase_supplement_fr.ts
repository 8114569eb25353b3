<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- What Qt's own French catalogue (qtbase_fr.qm) lacks: Qt 6 gave the file dialog's labels a
     mnemonic ("&Look in:", "Files of &type:") and the catalogue still has them without it, so
     they showed in English. Read as it is at start by van_app.ui.qt_translations, installed
     after qtbase_fr.qm (so searched first). -->
<TS version="2.1" language="fr_FR">
<context>
    <name>QFileDialog</name>
    <message>
        <source>&amp;Look in:</source>
        <translation>&amp;Voir dans :</translation>
    </message>
    <message>
        <source>Files of &amp;type:</source>
        <translation>Fichiers de &amp;type :</translation>
    </message>
</context>
</TS>
