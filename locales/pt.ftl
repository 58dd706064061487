# Courier, português.

## Shell and top bar

loading = Carregando…
sign-out = Sair
sign-out-remove-data = Sair e apagar as mensagens desta conta deste navegador
preferences = Preferências
select-chat = Selecione uma conversa para começar
part-not-loaded = Esta parte do Courier não pôde ser carregada. Verifique sua conexão e tente novamente.
connection = Conexão
conn-connecting = Conectando…
conn-online = On-line
conn-offline = Off-line — as mensagens serão enviadas quando você voltar

## Preferences

language = Idioma
lang-system = Padrão do sistema
theme = Tema
theme-system = Sistema
theme-light = Claro
theme-dark = Escuro
close = Fechar

## Sign in, sign up, join

sign-in = Entrar
sign-up = Cadastrar-se
username = Nome de usuário
password = Senha
display-name = Nome de exibição
optional = opcional
have-account = Já tenho uma conta
create-account = Criar uma conta
loading-invite = Carregando convite…
members-count = { $n ->
    [one] { $n } membro
   *[other] { $n } membros
}
subscribers-count = { $n ->
    [one] { $n } inscrito
   *[other] { $n } inscritos
}
channel-subscribers = Canal · { $n ->
    [one] { $n } inscrito
   *[other] { $n } inscritos
}
admin-approves = Um administrador aprova os novos membros.
join-request-sent = Seu pedido para entrar foi enviado. Você verá a conversa assim que um administrador aprová-lo.
request-to-join = Pedir para entrar
join-chat = Entrar na conversa
keep-title = Guarde suas conversas: escolha um nome de usuário e uma senha
keep-my-chats = Guardar minhas conversas

## Chat list

chats = Conversas
no-chats = Nenhuma conversa ainda: inicie uma acima ou abra um link de convite.
you = Você
preview = { $who }: { $text }
unread = { $n ->
    [one] { $n } não lida
   *[other] { $n } não lidas
}

## Open chat

back = Voltar
members = Membros
settings = Configurações
no-longer-member = Você não é mais membro desta conversa.
pinned-message = Mensagem fixada
pinned = Fixada
admins-only-post = Só administradores publicam neste canal.
messages = Mensagens
text-too-long = Mensagem longa demais: { $n } de { $max } caracteres permitidos
slow-mode-note = Modo lento: uma mensagem a cada { $n } s
reply-to = Resposta a
editing = Editando mensagem
cancel-reply = Cancelar resposta
cancel-edit = Cancelar edição
message = Mensagem
send = Enviar

## Messages

sent = Enviada
pending = Pendente
failed = Falhou
not-sent = Não enviada: { $reason }
quote-not-here = Uma mensagem anterior
message-unsupported = Esta mensagem precisa de uma versão mais recente do Courier
edited = editada
message-actions = Ações da mensagem
reactions = Reações
react = Reagir com { $emoji }
reply = Responder
edit = Editar
pin = Fixar
unpin = Desafixar
views = { $n ->
    [one] { $n } visualização
   *[other] { $n } visualizações
}

## Members and settings

members-of-chat = Membros desta conversa
role-owner = dono
role-admin = admin
make-admin = Tornar admin
make-admin-named = Tornar admin: { $name }
dismiss-admin = Remover de admin
dismiss-admin-named = Remover de admin: { $name }
remove = Remover
remove-named = Remover { $name }
ban = Banir
ban-named = Banir { $name }
show-more = Mostrar mais
invite-link = Link de convite
copy-link = Copiar link
copied = Copiado
chat-settings = Configurações da conversa
chat-name = Nome da conversa
public-handle = Identificador público
handle-placeholder = nenhum: privada
slow-mode = Modo lento
off = Desligado
duration-seconds = { $n } s
duration-minutes = { $n } min
duration-hours = { $n ->
    [one] { $n } hora
   *[other] { $n } horas
}
duration-days = { $n ->
    [one] { $n } dia
   *[other] { $n } dias
}
duration-weeks = { $n ->
    [one] { $n } semana
   *[other] { $n } semanas
}
never = Nunca
sign-posts = Assinar publicações com o nome do autor
save = Salvar
saved = Salvo
invite-links = Links de convite
revoke = Revogar
revoke-named = Revogar { $code }
new-invite-link = Novo link de convite
expires = Expira em
usage-limit = Limite de usos
no-limit = sem limite
admins-approve = Administradores aprovam os novos membros
create-link = Criar link
link-main = link principal
link-revoked = revogado
link-used = { $uses } de { $limit } usados
link-joined = { $n ->
    [one] { $n } entrou
   *[other] { $n } entraram
}
link-expires = expira em { $date }
link-needs-approval = requer aprovação
join-requests = Pedidos para entrar
approve = Aprovar
approve-named = Aprovar { $name }
decline = Recusar
decline-named = Recusar { $name }

## Errors

error-network = Não foi possível conectar ao servidor
error-bad-frame = Quadro malformado
error-frame-too-large = Quadro grande demais
error-hello-required = O hello deve vir primeiro, uma única vez
error-unsupported-version = Versão do protocolo não suportada
error-text-empty = O texto da mensagem está vazio
error-text-too-long = O texto da mensagem é longo demais
error-bad-client-id = Identificador de mensagem malformado
error-too-many = Itens demais
error-not-member = Você não é membro desta conversa
error-unauthorized = Você não entrou na sua conta
error-bad-credentials = Nome de usuário ou senha incorretos
error-username-taken = Esse nome de usuário já está em uso
error-bad-username = O nome de usuário deve ter de 3 a 32 caracteres entre a-z, 0-9, _ e começar com uma letra
error-bad-password = A senha deve ter de 8 a 256 caracteres
error-bad-name = O nome está vazio, é longo demais ou tem caracteres de controle
error-unknown-user = Usuário não encontrado
error-bad-invite = O link de convite não é válido
error-already-account = Você já tem uma conta
error-body-too-large = Requisição grande demais
error-bad-request = Requisição inválida
error-bad-origin = Origem não permitida
error-not-allowed = Sua função nesta conversa não permite isso
error-slow-mode = Modo lento: espere antes de enviar de novo
error-banned = Você foi banido desta conversa
error-invite-expired = O link de convite expirou
error-invite-revoked = O link de convite foi revogado
error-invite-used-up = O link de convite atingiu o limite de usos
error-handle-taken = Esse @identificador já está em uso
error-bad-handle = O @identificador deve ter de 3 a 32 caracteres entre a-z, 0-9, _ e começar com uma letra
error-owner-stays = O dono não pode ser removido, banido nem rebaixado
error-bad-target = Essa mensagem não existe mais
error-bad-reaction = Essa reação não está entre as disponíveis
error-not-found = Não encontrado
error-slow-down = Tentativas demais. Espere um pouco e tente de novo
error-blocked = Você não pode enviar mensagens a essa pessoa
error-too-broad = Essa busca demora demais: adicione palavras ou busque em uma conversa
error-file-too-large = O arquivo é grande demais (até 4 GB)
error-quota-exceeded = Não há espaço suficiente para este arquivo
error-offset-mismatch = O envio saiu de sincronia; ele vai continuar
error-bad-file = Esse arquivo não pode ser enviado
error-no-call = Essa chamada terminou
error-in-call = Você já está em uma chamada
error-call-crossed = Essa pessoa está ligando para você
error-internal = Erro interno

## Everyday messaging: search, forwarding, receipts, presence, timers

search-in-chat = Pesquisar nesta conversa
search-results = Resultados da pesquisa
search-none = Nada encontrado
search-offline = Sem conexão: só as mensagens deste aparelho
forward = Encaminhar
forward-to = Encaminhar para…
forwarded-from = Encaminhada de { $name }
cancel = Cancelar
delete-for-me = Apagar para mim
delete-for-everyone = Apagar para todos
read = Lida
delivered = Entregue
seen-by = Vista por { $names }
seen-by-nobody = Ainda não vista
reaction-by = { $emoji } { $n }, de { $names }
reaction-count = { $emoji } { $n }
disappears = Desaparece quando o temporizador acabar
typing = { $names } digitando…
online = online
last-seen = visto às { $time }
last-seen-yesterday = visto ontem às { $time }
last-seen-on = visto em { $date }
last-seen-recently = visto recentemente
hide-last-seen = Ocultar meu visto por último
chat-options = Opções da conversa
jump-to-date = Ir para a data
jump-to-newest = Ir para a mensagem mais recente
no-messages-since = Nenhuma mensagem desde esse dia
auto-delete = Apagar mensagens automaticamente
timer-off = Desativado
timer-day = Após 1 dia
timer-week = Após 1 semana
timer-month = Após 1 mês
timer-custom = Personalizado…
timer-hours = Horas
timer-set = Definir
unread-messages = Mensagens não lidas
loading-older = Carregando mensagens mais antigas…
schedule-message = Agendar mensagem

## Files
attach = Anexar arquivos
attachments = Arquivos a enviar
upload-done = Enviado
upload-cancelled = Cancelado
upload-paused = Pausado
upload-progress = { $sent } de { $size }
upload-resume = Retomar envio
upload-pause = Pausar envio
upload-cancel = Cancelar envio
upload-interrupted = Interrompido: escolha o arquivo de novo para continuar
upload-choose-again = Escolher o arquivo
upload-interrupted-files = Envio interrompido: escolha os arquivos de novo para enviar
upload-choose-files = Escolher os arquivos
send-as-files = Enviar como arquivos, sem compressão
delete-unsent = Apagar
voice-message = Mensagem de voz, { $duration }
round-video = Mensagem de vídeo
media-photo = Foto
media-video = Vídeo
media-album = Álbum
media-file = Arquivo: { $name }
media-voice = Mensagem de voz
open-photo = Abrir foto
photo-viewer = Visualizador de fotos
zoom-in = Zoom
download = Baixar
previous-photo = Foto anterior
next-photo = Próxima foto
record-voice = Gravar mensagem de voz
record-round = Gravar mensagem de vídeo
recording-voice = Gravando mensagem de voz
recording-round = Gravando mensagem de vídeo
record-cancel = Cancelar
record-slide-cancel = ‹ Deslize para cancelar
record-send = Enviar
record-failed = O microfone ou a câmera não está disponível
voice-play = Reproduzir
voice-pause = Pausar
voice-speed = Velocidade de reprodução
voice-position = Posição
voice-unheard = Ainda não ouvida
schedule-at = Enviar em
schedule = Agendar
scheduled-messages = Mensagens agendadas
scheduled-count = { $n ->
    [one] { $n } mensagem agendada
   *[other] { $n } mensagens agendadas
}
draft-label = Rascunho:
cancel-scheduled = Cancelar mensagem agendada

## Organising chats: folders, pin, mute, archive, mentions

folders = Pastas
folder-all = Todas
folder-unread = Não lidas
folder-personal = Pessoais
folder-groups = Grupos
folder-channels = Canais
folder-archived = Arquivadas
edit-folders = Editar pastas
new-folder = Nova pasta
delete-folder = Excluir
folder-name = Nome da pasta
folder-include = Incluir
folder-skip-muted = Excluir conversas silenciadas
folder-skip-read = Excluir conversas lidas
folder-chats = Conversas
folder-by-kind = Conforme acima
folder-always = Sempre
folder-never = Nunca
done = Concluído
pinned-chat = Fixada
muted = Silenciada
mentioned = Você foi mencionado
pin-chat = Fixar no topo
mute-chat = Silenciar
archive-chat = Arquivar
accounts = Contas
add-account = Adicionar conta
back-to-account = Voltar para minha conta
notifications = Notificações de novas mensagens

# Blocking a person, leaving a group or channel
block-user = Bloquear
unblock-user = Desbloquear
blocked-note = Você bloqueou essa pessoa: ela não pode lhe escrever.
leave-group = Sair do grupo
leave-channel = Sair do canal

# Devices (each sign-in) and the password, in Preferences
devices = Dispositivos
device-this = Este dispositivo
device-seen = Visto { $time }
device-unnamed = Dispositivo desconhecido
device-name = Nome do dispositivo
device-rename = Renomear
device-end = Sair
device-end-named = Sair: { $name }
password-change = Alterar senha
password-old = Senha atual
password-new = Nova senha
password-changed = Senha alterada. Seus outros dispositivos foram desconectados.
password-wrong = A senha atual está errada

# Starting chats and the one search box.
new-chat = Nova conversa
new-private-chat = Nova conversa privada
new-group = Novo grupo
new-channel = Novo canal
search-people = Procurar pessoas por nome ou @usuário
group-name = Nome do grupo
channel-name = Nome do canal
next = Avançar
create = Criar
add-people = Adicionar pessoas
search = Pesquisar
section-people = Pessoas
section-public = Grupos e canais públicos

call-voice = Chamada, { $duration }
call-video = Chamada de vídeo, { $duration }
call-missed = Chamada perdida
call-declined = Chamada recusada
call-busy = Chamada: linha ocupada
call-cancelled = Chamada cancelada
call = Chamada
call-voice-start = Chamada de voz
call-video-start = Chamada de vídeo
call-calling = Chamando…
call-ringing = Tocando…
call-incoming-voice = Chamada recebida
call-incoming-video = Chamada de vídeo recebida
call-connecting = Conectando…
call-ended = Chamada encerrada
call-failed = A chamada não pôde continuar
call-no-media = Seu microfone ou câmera não está disponível
call-accept = Atender
call-decline = Recusar
call-hang-up = Desligar
call-mute = Silenciar
call-camera-off = Desligar câmera
call-info = Informações da chamada
call-their-video = Vídeo da outra pessoa
call-my-video = Seu vídeo
call-info-codecs = Codecs
call-info-bitrate = Taxa de bits recebida
call-info-lost = Pacotes perdidos
call-info-jitter = Atraso do buffer de jitter
call-info-path = Conexão
call-info-frames = Quadros de vídeo decodificados
call-info-energy = Energia de áudio recebida
call-minimise = Minimizar
call-devices = Dispositivos
call-device-microphone = Microfone
call-device-camera = Câmera
call-device-speaker = Alto-falante
call-device-unnamed = Dispositivo { $n }
call-quality-good = Conexão: boa
call-quality-fair = Conexão: razoável
call-quality-poor = Conexão: ruim
group-call = Chat de vídeo
group-call-start = Iniciar chat de vídeo
group-call-join = Entrar
group-call-join-label = Entrar no chat de vídeo
group-call-going = Chat de vídeo · { $n ->
    [one] { $n } participante
   *[other] { $n } participantes
}
group-call-count = { $n ->
    [one] { $n } participante
   *[other] { $n } participantes
}
group-call-joining = Entrando…
group-call-leave = Sair
group-call-camera = Câmera
group-call-screen = Compartilhar tela
group-call-hand = Levantar a mão
group-call-you = { $name } (você)
group-call-muted = sem som
group-call-hand-raised = mão levantada
group-call-speaking = falando
group-call-screen-of = Tela de { $name }
group-call-people = Participantes
group-call-share-failed = Não foi possível compartilhar a tela
