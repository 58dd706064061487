# Courier, français.

## Shell and top bar

loading = Chargement…
sign-out = Se déconnecter
sign-out-remove-data = Se déconnecter et effacer les messages de ce compte de ce navigateur
preferences = Préférences
select-chat = Choisissez une discussion pour commencer
part-not-loaded = Cette partie de Courier n’a pas pu être chargée. Vérifiez votre connexion et réessayez.
connection = Connexion
conn-connecting = Connexion…
conn-online = En ligne
conn-offline = Hors ligne — les messages partiront à votre retour

## Preferences

language = Langue
lang-system = Langue du système
theme = Thème
theme-system = Système
theme-light = Clair
theme-dark = Sombre
close = Fermer

## Sign in, sign up, join

sign-in = Se connecter
sign-up = S’inscrire
username = Nom d’utilisateur
password = Mot de passe
display-name = Nom affiché
optional = facultatif
have-account = J’ai déjà un compte
create-account = Créer un compte
loading-invite = Chargement de l’invitation…
members-count = { $n ->
    [one] { $n } membre
   *[other] { $n } membres
}
subscribers-count = { $n ->
    [one] { $n } abonné
   *[other] { $n } abonnés
}
channel-subscribers = Chaîne · { $n ->
    [one] { $n } abonné
   *[other] { $n } abonnés
}
admin-approves = Un administrateur approuve les nouveaux membres.
join-request-sent = Votre demande a été envoyée. La discussion apparaîtra dès qu’un administrateur l’aura approuvée.
request-to-join = Demander à rejoindre
join-chat = Rejoindre la discussion
keep-title = Gardez vos discussions : choisissez un nom d’utilisateur et un mot de passe
keep-my-chats = Garder mes discussions

## Chat list

chats = Discussions
no-chats = Aucune discussion pour l’instant : démarrez-en une ci-dessus ou ouvrez un lien d’invitation.
you = Vous
preview = { $who } : { $text }
unread = { $n ->
    [one] { $n } non lu
   *[other] { $n } non lus
}

## Open chat

back = Retour
members = Membres
settings = Paramètres
no-longer-member = Vous n’êtes plus membre de cette discussion.
pinned-message = Message épinglé
pinned = Épinglé
admins-only-post = Seuls les administrateurs publient dans cette chaîne.
messages = Messages
text-too-long = Message trop long : { $n } caractères sur { $max } autorisés
slow-mode-note = Mode lent : un message toutes les { $n } s
reply-to = Réponse à
editing = Modification du message
cancel-reply = Annuler la réponse
cancel-edit = Annuler la modification
message = Message
send = Envoyer

## Messages

sent = Envoyé
pending = En attente
failed = Échec
not-sent = Non envoyé : { $reason }
quote-not-here = Un message plus ancien
message-unsupported = Ce message demande une version plus récente de Courier
edited = modifié
message-actions = Actions sur le message
reactions = Réactions
react = Réagir { $emoji }
reply = Répondre
edit = Modifier
pin = Épingler
unpin = Désépingler
views = { $n ->
    [one] { $n } vue
   *[other] { $n } vues
}

## Members and settings

members-of-chat = Membres de cette discussion
role-owner = propriétaire
role-admin = admin
make-admin = Nommer admin
make-admin-named = Nommer admin : { $name }
dismiss-admin = Retirer les droits d’admin
dismiss-admin-named = Retirer les droits d’admin : { $name }
remove = Retirer
remove-named = Retirer { $name }
ban = Bannir
ban-named = Bannir { $name }
show-more = Afficher plus
invite-link = Lien d’invitation
copy-link = Copier le lien
copied = Copié
chat-settings = Paramètres de la discussion
chat-name = Nom de la discussion
public-handle = Identifiant public
handle-placeholder = aucun : privée
slow-mode = Mode lent
off = Désactivé
duration-seconds = { $n } s
duration-minutes = { $n } min
duration-hours = { $n ->
    [one] { $n } heure
   *[other] { $n } heures
}
duration-days = { $n ->
    [one] { $n } jour
   *[other] { $n } jours
}
duration-weeks = { $n ->
    [one] { $n } semaine
   *[other] { $n } semaines
}
never = Jamais
sign-posts = Signer les publications du nom de l’auteur
save = Enregistrer
saved = Enregistré
invite-links = Liens d’invitation
revoke = Révoquer
revoke-named = Révoquer { $code }
new-invite-link = Nouveau lien d’invitation
expires = Expiration
usage-limit = Nombre d’utilisations maximal
no-limit = illimité
admins-approve = Les administrateurs approuvent les nouveaux membres
create-link = Créer le lien
link-main = lien principal
link-revoked = révoqué
link-used = { $uses } sur { $limit } utilisés
link-joined = { $n ->
    [one] { $n } a rejoint
   *[other] { $n } ont rejoint
}
link-expires = expire le { $date }
link-needs-approval = approbation requise
join-requests = Demandes d’adhésion
approve = Approuver
approve-named = Approuver { $name }
decline = Refuser
decline-named = Refuser { $name }

## Errors

error-network = Impossible de joindre le serveur
error-bad-frame = Trame mal formée
error-frame-too-large = Trame trop grande
error-hello-required = Le « hello » doit venir en premier, une seule fois
error-unsupported-version = Version du protocole non prise en charge
error-text-empty = Le message est vide
error-text-too-long = Le message est trop long
error-bad-client-id = Identifiant de message mal formé
error-too-many = Trop d’éléments
error-not-member = Vous n’êtes pas membre de cette discussion
error-unauthorized = Vous n’êtes pas connecté
error-bad-credentials = Nom d’utilisateur ou mot de passe incorrect
error-username-taken = Ce nom d’utilisateur est déjà pris
error-bad-username = Le nom d’utilisateur doit faire 3 à 32 caractères parmi a-z, 0-9, _ et commencer par une lettre
error-bad-password = Le mot de passe doit faire 8 à 256 caractères
error-bad-name = Le nom est vide, trop long ou contient des caractères de contrôle
error-unknown-user = Utilisateur introuvable
error-bad-invite = Ce lien d’invitation n’est pas valide
error-already-account = Vous avez déjà un compte
error-body-too-large = Requête trop volumineuse
error-bad-request = Requête invalide
error-bad-origin = Origine non autorisée
error-not-allowed = Votre rôle dans cette discussion ne le permet pas
error-slow-mode = Mode lent : patientez avant d’envoyer à nouveau
error-banned = Vous êtes banni de cette discussion
error-invite-expired = Ce lien d’invitation a expiré
error-invite-revoked = Ce lien d’invitation a été révoqué
error-invite-used-up = Ce lien d’invitation a atteint sa limite d’utilisations
error-handle-taken = Cet @identifiant est déjà pris
error-bad-handle = L’@identifiant doit faire 3 à 32 caractères parmi a-z, 0-9, _ et commencer par une lettre
error-owner-stays = Le propriétaire ne peut être ni retiré, ni banni, ni rétrogradé
error-bad-target = Ce message n’existe plus
error-bad-reaction = Cette réaction ne fait pas partie de celles proposées
error-not-found = Introuvable
error-slow-down = Trop de tentatives. Patientez un instant et réessayez
error-blocked = Vous ne pouvez pas écrire à cette personne
error-too-broad = Cette recherche prend trop de temps : ajoutez des mots ou cherchez dans une seule discussion
error-file-too-large = Le fichier est trop volumineux (4 Go au plus)
error-quota-exceeded = Pas assez d’espace pour ce fichier
error-offset-mismatch = L’envoi s’est désynchronisé ; il va reprendre
error-bad-file = Ce fichier ne peut pas être envoyé
error-no-call = Cet appel est terminé
error-in-call = Vous êtes déjà en appel
error-call-crossed = Cette personne vous appelle
error-internal = Erreur interne

## Everyday messaging: search, forwarding, receipts, presence, timers

search-in-chat = Rechercher dans cette discussion
search-results = Résultats de la recherche
search-none = Aucun résultat
search-offline = Hors ligne : seulement les messages de cet appareil
forward = Transférer
forward-to = Transférer à…
forwarded-from = Transféré de { $name }
cancel = Annuler
delete-for-me = Supprimer pour moi
delete-for-everyone = Supprimer pour tous
read = Lu
delivered = Distribué
seen-by = Vu par { $names }
seen-by-nobody = Pas encore vu
reaction-by = { $emoji } { $n }, de { $names }
reaction-count = { $emoji } { $n }
disappears = Disparaît à la fin de son minuteur
typing = { $names } écrit…
online = en ligne
last-seen = vu·e à { $time }
last-seen-yesterday = vu·e hier à { $time }
last-seen-on = vu·e le { $date }
last-seen-recently = vu·e récemment
hide-last-seen = Masquer ma dernière connexion
chat-options = Options de la discussion
jump-to-date = Aller à la date
jump-to-newest = Aller au dernier message
no-messages-since = Aucun message depuis ce jour
auto-delete = Suppression automatique
timer-off = Désactivée
timer-day = Après 1 jour
timer-week = Après 1 semaine
timer-month = Après 1 mois
timer-custom = Personnalisé…
timer-hours = Heures
timer-set = Appliquer
unread-messages = Messages non lus
loading-older = Chargement des messages plus anciens…
schedule-message = Programmer le message

## Files
attach = Joindre des fichiers
attachments = Fichiers à envoyer
upload-done = Envoyé
upload-cancelled = Annulé
upload-paused = En pause
upload-progress = { $sent } sur { $size }
upload-resume = Reprendre l’envoi
upload-pause = Mettre l’envoi en pause
upload-cancel = Annuler l’envoi
upload-interrupted = Interrompu : choisissez à nouveau le fichier pour reprendre
upload-choose-again = Choisir le fichier
upload-interrupted-files = Envoi interrompu : choisissez de nouveau les fichiers pour l’envoyer
upload-choose-files = Choisir les fichiers
send-as-files = Envoyer comme fichiers, sans compression
delete-unsent = Supprimer
voice-message = Message vocal, { $duration }
round-video = Message vidéo
media-photo = Photo
media-video = Vidéo
media-album = Album
media-file = Fichier : { $name }
media-voice = Message vocal
open-photo = Ouvrir la photo
photo-viewer = Visionneuse de photos
zoom-in = Zoom
download = Télécharger
previous-photo = Photo précédente
next-photo = Photo suivante
record-voice = Enregistrer un message vocal
record-round = Enregistrer un message vidéo
recording-voice = Enregistrement d’un message vocal
recording-round = Enregistrement d’un message vidéo
record-cancel = Annuler
record-slide-cancel = ‹ Glisser pour annuler
record-send = Envoyer
record-failed = Le micro ou la caméra n’est pas disponible
voice-play = Lire
voice-pause = Pause
voice-speed = Vitesse de lecture
voice-position = Position
voice-unheard = Pas encore écouté
schedule-at = Envoyer le
schedule = Programmer
scheduled-messages = Messages programmés
scheduled-count = { $n ->
    [one] { $n } message programmé
   *[other] { $n } messages programmés
}
draft-label = Brouillon :
cancel-scheduled = Annuler le message programmé

## Organising chats: folders, pin, mute, archive, mentions

folders = Dossiers
folder-all = Toutes
folder-unread = Non lues
folder-personal = Personnelles
folder-groups = Groupes
folder-channels = Chaînes
folder-archived = Archivées
edit-folders = Modifier les dossiers
new-folder = Nouveau dossier
delete-folder = Supprimer
folder-name = Nom du dossier
folder-include = Inclure
folder-skip-muted = Exclure les discussions en sourdine
folder-skip-read = Exclure les discussions lues
folder-chats = Discussions
folder-by-kind = Selon les règles ci-dessus
folder-always = Toujours
folder-never = Jamais
done = Terminé
pinned-chat = Épinglée
muted = En sourdine
mentioned = Vous avez été mentionné·e
pin-chat = Épingler en haut
mute-chat = Mettre en sourdine
archive-chat = Archiver
accounts = Comptes
add-account = Ajouter un compte
back-to-account = Revenir à mon compte
notifications = Notifications des nouveaux messages

# Blocking a person, leaving a group or channel
block-user = Bloquer
unblock-user = Débloquer
blocked-note = Vous avez bloqué cette personne : elle ne peut plus vous écrire.
leave-group = Quitter le groupe
leave-channel = Quitter la chaîne

# Devices (each sign-in) and the password, in Preferences
devices = Appareils
device-this = Cet appareil
device-seen = Vu { $time }
device-unnamed = Appareil inconnu
device-name = Nom de l’appareil
device-rename = Renommer
device-end = Déconnecter
device-end-named = Déconnecter { $name }
password-change = Changer le mot de passe
password-old = Mot de passe actuel
password-new = Nouveau mot de passe
password-changed = Mot de passe changé. Vos autres appareils ont été déconnectés.
password-wrong = Le mot de passe actuel est incorrect

# Starting chats and the one search box.
new-chat = Nouvelle discussion
new-private-chat = Nouvelle discussion privée
new-group = Nouveau groupe
new-channel = Nouveau canal
search-people = Chercher des personnes par nom ou @pseudo
group-name = Nom du groupe
channel-name = Nom du canal
next = Suivant
create = Créer
add-people = Ajouter des personnes
search = Rechercher
section-people = Personnes
section-public = Groupes et canaux publics

call-voice = Appel, { $duration }
call-video = Appel vidéo, { $duration }
call-missed = Appel manqué
call-declined = Appel refusé
call-busy = Appel : ligne occupée
call-cancelled = Appel annulé
call = Appel
call-voice-start = Appel vocal
call-video-start = Appel vidéo
call-calling = Appel en cours…
call-ringing = Ça sonne…
call-incoming-voice = Appel entrant
call-incoming-video = Appel vidéo entrant
call-connecting = Connexion…
call-ended = Appel terminé
call-failed = L’appel n’a pas pu continuer
call-no-media = Votre micro ou votre caméra n’est pas disponible
call-accept = Répondre
call-decline = Refuser
call-hang-up = Raccrocher
call-mute = Couper le micro
call-camera-off = Couper la caméra
call-info = Infos de l’appel
call-their-video = Sa vidéo
call-my-video = Votre vidéo
call-info-codecs = Codecs
call-info-bitrate = Débit entrant
call-info-lost = Paquets perdus
call-info-jitter = Délai du tampon de gigue
call-info-path = Connexion
call-info-frames = Images vidéo décodées
call-info-energy = Énergie audio reçue
call-minimise = Réduire
call-devices = Appareils
call-device-microphone = Microphone
call-device-camera = Caméra
call-device-speaker = Haut-parleur
call-device-unnamed = Appareil { $n }
call-quality-good = Connexion : bonne
call-quality-fair = Connexion : moyenne
call-quality-poor = Connexion : mauvaise
group-call = Chat vidéo
group-call-start = Lancer un chat vidéo
group-call-join = Rejoindre
group-call-join-label = Rejoindre le chat vidéo
group-call-going = Chat vidéo · { $n ->
    [one] { $n } participant
   *[other] { $n } participants
}
group-call-count = { $n ->
    [one] { $n } participant
   *[other] { $n } participants
}
group-call-joining = Connexion…
group-call-leave = Quitter
group-call-camera = Caméra
group-call-screen = Partager l’écran
group-call-hand = Lever la main
group-call-you = { $name } (vous)
group-call-muted = micro coupé
group-call-hand-raised = main levée
group-call-speaking = parle
group-call-screen-of = Écran de { $name }
group-call-people = Participants
group-call-share-failed = L’écran n’a pas pu être partagé
