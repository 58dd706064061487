# Courier, русский.

## Shell and top bar

loading = Загрузка…
sign-out = Выйти
sign-out-remove-data = Выйти и удалить сообщения этого аккаунта из браузера
preferences = Настройки интерфейса
select-chat = Выберите чат, чтобы начать переписку
part-not-loaded = Не удалось загрузить эту часть Courier. Проверьте подключение и попробуйте снова.
connection = Соединение
conn-connecting = Подключение…
conn-online = В сети
conn-offline = Нет сети — сообщения отправятся, когда связь вернётся

## Preferences

language = Язык
lang-system = Как в системе
theme = Тема
theme-system = Как в системе
theme-light = Светлая
theme-dark = Тёмная
close = Закрыть

## Sign in, sign up, join

sign-in = Войти
sign-up = Зарегистрироваться
username = Имя пользователя
password = Пароль
display-name = Отображаемое имя
optional = необязательно
have-account = У меня есть аккаунт
create-account = Создать аккаунт
loading-invite = Загрузка приглашения…
members-count = { $n ->
    [one] { $n } участник
    [few] { $n } участника
    [many] { $n } участников
   *[other] { $n } участника
}
subscribers-count = { $n ->
    [one] { $n } подписчик
    [few] { $n } подписчика
    [many] { $n } подписчиков
   *[other] { $n } подписчика
}
channel-subscribers = Канал · { $n ->
    [one] { $n } подписчик
    [few] { $n } подписчика
    [many] { $n } подписчиков
   *[other] { $n } подписчика
}
admin-approves = Новых участников одобряет администратор.
join-request-sent = Заявка на вступление отправлена. Чат появится, когда администратор её одобрит.
request-to-join = Подать заявку
join-chat = Вступить в чат
keep-title = Сохраните свои чаты: выберите имя пользователя и пароль
keep-my-chats = Сохранить мои чаты

## Chat list

chats = Чаты
no-chats = Чатов пока нет: начните новый выше или откройте ссылку-приглашение.
you = Вы
preview = { $who }: { $text }
unread = { $n ->
    [one] { $n } непрочитанное
    [few] { $n } непрочитанных
    [many] { $n } непрочитанных
   *[other] { $n } непрочитанного
}

## Open chat

back = Назад
members = Участники
settings = Настройки
no-longer-member = Вы больше не участник этого чата.
pinned-message = Закреплённое сообщение
pinned = Закреплено
admins-only-post = В этом канале пишут только администраторы.
messages = Сообщения
text-too-long = Сообщение слишком длинное: { $n } из { $max } допустимых символов
slow-mode-note = Медленный режим: одно сообщение раз в { $n } с
reply-to = Ответ
editing = Редактирование сообщения
cancel-reply = Отменить ответ
cancel-edit = Отменить редактирование
message = Сообщение
send = Отправить

## Messages

sent = Отправлено
pending = Ожидает отправки
failed = Ошибка
not-sent = Не отправлено: { $reason }
quote-not-here = Более раннее сообщение
message-unsupported = Для этого сообщения нужна более новая версия Courier
edited = изменено
message-actions = Действия с сообщением
reactions = Реакции
react = Реакция { $emoji }
reply = Ответить
edit = Изменить
pin = Закрепить
unpin = Открепить
views = { $n ->
    [one] { $n } просмотр
    [few] { $n } просмотра
    [many] { $n } просмотров
   *[other] { $n } просмотра
}

## Members and settings

members-of-chat = Участники этого чата
role-owner = владелец
role-admin = администратор
make-admin = Назначить администратором
make-admin-named = Назначить администратором: { $name }
dismiss-admin = Снять с должности администратора
dismiss-admin-named = Снять с должности администратора: { $name }
remove = Удалить
remove-named = Удалить: { $name }
ban = Заблокировать
ban-named = Заблокировать { $name }
show-more = Показать ещё
invite-link = Ссылка-приглашение
copy-link = Скопировать ссылку
copied = Скопировано
chat-settings = Настройки чата
chat-name = Название чата
public-handle = Публичный адрес
handle-placeholder = нет: чат закрытый
slow-mode = Медленный режим
off = Выкл.
duration-seconds = { $n } с
duration-minutes = { $n } мин
duration-hours = { $n ->
    [one] { $n } час
    [few] { $n } часа
    [many] { $n } часов
   *[other] { $n } часа
}
duration-days = { $n ->
    [one] { $n } день
    [few] { $n } дня
    [many] { $n } дней
   *[other] { $n } дня
}
duration-weeks = { $n ->
    [one] { $n } неделя
    [few] { $n } недели
    [many] { $n } недель
   *[other] { $n } недели
}
never = Бессрочно
sign-posts = Подписывать записи именем автора
save = Сохранить
saved = Сохранено
invite-links = Ссылки-приглашения
revoke = Отозвать
revoke-named = Отозвать { $code }
new-invite-link = Новая ссылка-приглашение
expires = Срок действия
usage-limit = Лимит использований
no-limit = без лимита
admins-approve = Новых участников одобряют администраторы
create-link = Создать ссылку
link-main = основная ссылка
link-revoked = отозвана
link-used = использована { $uses } из { $limit }
link-joined = { $n ->
    [one] вступил { $n }
   *[other] вступили { $n }
}
link-expires = действует до { $date }
link-needs-approval = нужно одобрение
join-requests = Заявки на вступление
approve = Одобрить
approve-named = Одобрить: { $name }
decline = Отклонить
decline-named = Отклонить: { $name }

## Errors

error-network = Не удаётся связаться с сервером
error-bad-frame = Некорректный кадр
error-frame-too-large = Слишком большой кадр
error-hello-required = Сначала ожидается приветствие, и только одно
error-unsupported-version = Неподдерживаемая версия протокола
error-text-empty = Текст сообщения пуст
error-text-too-long = Текст сообщения слишком длинный
error-bad-client-id = Некорректный идентификатор сообщения
error-too-many = Слишком много элементов
error-not-member = Вы не участник этого чата
error-unauthorized = Вы не вошли в аккаунт
error-bad-credentials = Неверное имя пользователя или пароль
error-username-taken = Это имя пользователя уже занято
error-bad-username = Имя пользователя: 3–32 символа из a-z, 0-9, _, первым должна быть буква
error-bad-password = Пароль должен содержать от 8 до 256 символов
error-bad-name = Имя пустое, слишком длинное или содержит управляющие символы
error-unknown-user = Такого пользователя нет
error-bad-invite = Ссылка-приглашение недействительна
error-already-account = Аккаунт уже есть
error-body-too-large = Слишком большой запрос
error-bad-request = Некорректный запрос
error-bad-origin = Запрос с этого источника не разрешён
error-not-allowed = Ваша роль в этом чате этого не позволяет
error-slow-mode = Медленный режим: подождите, прежде чем отправить снова
error-banned = Вы заблокированы в этом чате
error-invite-expired = Срок действия ссылки-приглашения истёк
error-invite-revoked = Ссылка-приглашение отозвана
error-invite-used-up = Ссылка-приглашение исчерпала лимит использований
error-handle-taken = Этот @адрес уже занят
error-bad-handle = @адрес: 3–32 символа из a-z, 0-9, _, первым должна быть буква
error-owner-stays = Владельца нельзя удалить, заблокировать или понизить
error-bad-target = Этого сообщения больше нет
error-bad-reaction = Такой реакции нет среди доступных
error-not-found = Не найдено
error-slow-down = Слишком много попыток. Подождите немного и попробуйте снова
error-blocked = Этому человеку нельзя написать
error-too-broad = Этот поиск занимает слишком много времени: добавьте слова или ищите в одном чате
error-file-too-large = Файл слишком большой (до 4 ГБ)
error-quota-exceeded = Недостаточно места для этого файла
error-offset-mismatch = Загрузка сбилась; она продолжится
error-bad-file = Этот файл нельзя отправить
error-no-call = Этот звонок уже завершён
error-in-call = Вы уже в звонке
error-call-crossed = Вам звонит собеседник
error-internal = Внутренняя ошибка сервера

## Everyday messaging: search, forwarding, receipts, presence, timers

search-in-chat = Поиск в этом чате
search-results = Результаты поиска
search-none = Ничего не найдено
search-offline = Нет сети: только сообщения на этом устройстве
forward = Переслать
forward-to = Переслать в…
forwarded-from = Переслано от { $name }
cancel = Отмена
delete-for-me = Удалить у меня
delete-for-everyone = Удалить у всех
read = Прочитано
delivered = Доставлено
seen-by = Прочитали: { $names }
seen-by-nobody = Ещё не прочитано
reaction-by = { $emoji } { $n }, от { $names }
reaction-count = { $emoji } { $n }
disappears = Исчезнет, когда истечёт таймер
typing = { $names } печатает…
online = в сети
last-seen = был(а) в { $time }
last-seen-yesterday = был(а) вчера в { $time }
last-seen-on = был(а) { $date }
last-seen-recently = был(а) недавно
hide-last-seen = Скрывать время последнего визита
chat-options = Настройки чата
jump-to-date = Перейти к дате
jump-to-newest = К последнему сообщению
no-messages-since = С этого дня сообщений нет
auto-delete = Автоудаление сообщений
timer-off = Выкл.
timer-day = Через 1 день
timer-week = Через 1 неделю
timer-month = Через 1 месяц
timer-custom = Своё…
timer-hours = Часов
timer-set = Задать
unread-messages = Непрочитанные сообщения
loading-older = Загружаем более ранние сообщения…
schedule-message = Запланировать сообщение

## Files
attach = Прикрепить файлы
attachments = Файлы для отправки
upload-done = Загружено
upload-cancelled = Отменено
upload-paused = Пауза
upload-progress = { $sent } из { $size }
upload-resume = Продолжить загрузку
upload-pause = Приостановить загрузку
upload-cancel = Отменить загрузку
upload-interrupted = Прервано: выберите файл снова, чтобы продолжить
upload-choose-again = Выбрать файл
upload-interrupted-files = Загрузка прервана: выберите файлы снова, чтобы отправить
upload-choose-files = Выбрать файлы
send-as-files = Отправить файлами, без сжатия
delete-unsent = Удалить
voice-message = Голосовое сообщение, { $duration }
round-video = Видеосообщение
media-photo = Фотография
media-video = Видео
media-album = Альбом
media-file = Файл: { $name }
media-voice = Голосовое сообщение
open-photo = Открыть фото
photo-viewer = Просмотр фото
zoom-in = Масштаб
download = Скачать
previous-photo = Предыдущее фото
next-photo = Следующее фото
record-voice = Записать голосовое сообщение
record-round = Записать видеосообщение
recording-voice = Запись голосового сообщения
recording-round = Запись видеосообщения
record-cancel = Отмена
record-slide-cancel = ‹ Смахните для отмены
record-send = Отправить
record-failed = Микрофон или камера недоступны
voice-play = Воспроизвести
voice-pause = Пауза
voice-speed = Скорость воспроизведения
voice-position = Позиция
voice-unheard = Ещё не прослушано
schedule-at = Отправить в
schedule = Запланировать
scheduled-messages = Запланированные сообщения
scheduled-count = { $n ->
    [one] { $n } запланированное сообщение
    [few] { $n } запланированных сообщения
    [many] { $n } запланированных сообщений
   *[other] { $n } запланированного сообщения
}
draft-label = Черновик:
cancel-scheduled = Отменить запланированное сообщение

## Organising chats: folders, pin, mute, archive, mentions

folders = Папки
folder-all = Все
folder-unread = Непрочитанные
folder-personal = Личные
folder-groups = Группы
folder-channels = Каналы
folder-archived = Архив
edit-folders = Настроить папки
new-folder = Новая папка
delete-folder = Удалить
folder-name = Название папки
folder-include = Включить
folder-skip-muted = Без чатов без звука
folder-skip-read = Без прочитанных чатов
folder-chats = Чаты
folder-by-kind = По правилам выше
folder-always = Всегда
folder-never = Никогда
done = Готово
pinned-chat = Закреплён
muted = Без звука
mentioned = Вас упомянули
pin-chat = Закрепить наверху
mute-chat = Без звука
archive-chat = В архив
accounts = Аккаунты
add-account = Добавить аккаунт
back-to-account = Вернуться в мой аккаунт
notifications = Уведомления о новых сообщениях

# Blocking a person, leaving a group or channel
block-user = Заблокировать
unblock-user = Разблокировать
blocked-note = Вы заблокировали этого человека: он не может вам писать.
leave-group = Выйти из группы
leave-channel = Покинуть канал

# Devices (each sign-in) and the password, in Preferences
devices = Устройства
device-this = Это устройство
device-seen = Был в сети { $time }
device-unnamed = Неизвестное устройство
device-name = Название устройства
device-rename = Переименовать
device-end = Выйти
device-end-named = Выйти: { $name }
password-change = Сменить пароль
password-old = Текущий пароль
password-new = Новый пароль
password-changed = Пароль изменён. На других устройствах выполнен выход.
password-wrong = Текущий пароль неверен

# Starting chats and the one search box.
new-chat = Новый чат
new-private-chat = Новый личный чат
new-group = Новая группа
new-channel = Новый канал
search-people = Искать людей по имени или @имени пользователя
group-name = Название группы
channel-name = Название канала
next = Далее
create = Создать
add-people = Добавить участников
search = Поиск
section-people = Люди
section-public = Публичные группы и каналы

call-voice = Звонок, { $duration }
call-video = Видеозвонок, { $duration }
call-missed = Пропущенный звонок
call-declined = Отклонённый звонок
call-busy = Звонок: линия занята
call-cancelled = Отменённый звонок
call = Звонок
call-voice-start = Аудиозвонок
call-video-start = Видеозвонок
call-calling = Вызов…
call-ringing = Звоним…
call-incoming-voice = Входящий звонок
call-incoming-video = Входящий видеозвонок
call-connecting = Соединение…
call-ended = Звонок завершён
call-failed = Звонок не удался
call-no-media = Микрофон или камера недоступны
call-accept = Ответить
call-decline = Отклонить
call-hang-up = Завершить
call-mute = Без звука
call-camera-off = Выключить камеру
call-info = О звонке
call-their-video = Видео собеседника
call-my-video = Ваше видео
call-info-codecs = Кодеки
call-info-bitrate = Входящий битрейт
call-info-lost = Потеряно пакетов
call-info-jitter = Задержка джиттер-буфера
call-info-path = Соединение
call-info-frames = Декодировано кадров
call-info-energy = Энергия принятого звука
call-minimise = Свернуть
call-devices = Устройства
call-device-microphone = Микрофон
call-device-camera = Камера
call-device-speaker = Динамик
call-device-unnamed = Устройство { $n }
call-quality-good = Связь: хорошая
call-quality-fair = Связь: средняя
call-quality-poor = Связь: плохая
group-call = Видеочат
group-call-start = Начать видеочат
group-call-join = Войти
group-call-join-label = Войти в видеочат
group-call-going = Видеочат · { $n ->
    [one] { $n } участник
    [few] { $n } участника
    [many] { $n } участников
   *[other] { $n } участника
}
group-call-count = { $n ->
    [one] { $n } участник
    [few] { $n } участника
    [many] { $n } участников
   *[other] { $n } участника
}
group-call-joining = Подключение…
group-call-leave = Выйти
group-call-camera = Камера
group-call-screen = Показать экран
group-call-hand = Поднять руку
group-call-you = { $name } (вы)
group-call-muted = микрофон выключен
group-call-hand-raised = поднята рука
group-call-speaking = говорит
group-call-screen-of = Экран: { $name }
group-call-people = Участники
group-call-share-failed = Не удалось показать экран
